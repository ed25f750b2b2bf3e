/** The arguments of `querylens lint`, checked: anything wrong is a UsageError (exit 2). */
import { parseArgs } from 'node:util';
import { UsageError, parsedAsUsage } from './command';
import type { FailOn } from './fileFinding';

export const OUTPUT_FORMATS = ['text', 'json', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;

export interface LintArgs {
  /** Paths (files or directories of *.sql), or `-` for stdin. */
  readonly inputs: readonly string[];
  readonly format: OutputFormat;
  readonly failOn: FailOn;
  readonly disabledRules: ReadonlySet<string>;
  /** `--config <file>`: instead of the discovered config file. */
  readonly config: string | undefined;
  readonly help: boolean;
}

function oneOf<T extends string>(option: string, value: string, accepted: readonly T[]): T {
  const found = accepted.find((candidate) => candidate === value);
  if (found === undefined) throw new UsageError(`--${option} ${JSON.stringify(value)} is not valid (accepted: ${accepted.join(', ')})`);
  return found;
}

export function parseLintArgs(args: readonly string[]): LintArgs {
  const { values, positionals } = parsedAsUsage(() => parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', short: 'f', default: 'text' },
      'fail-on': { type: 'string', default: 'error' },
      disable: { type: 'string', multiple: true, default: [] },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
  return {
    inputs: positionals,
    format: oneOf('format', values.format, OUTPUT_FORMATS),
    failOn: oneOf('fail-on', values['fail-on'], FAIL_ON),
    disabledRules: new Set(values.disable.flatMap((list) => list.split(',')).map((id) => id.trim()).filter((id) => id !== '')),
    config: values.config,
    help: values.help,
  };
}
