/**
 * The shape of a `querylens` subcommand, so that adding one (`report`, …)
 * is one module plus one line in main.ts. Commands write through `CliIo`
 * rather than `process`, which keeps them testable and lets main own exit.
 */

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly cwd: string;
}

export interface CliCommand {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** Resolves to the process exit code. Throws `UsageError` for bad arguments (exit 2). */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Bad arguments or unreadable input: the message is printed and the exit code is 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Runs an argument parser (node:util's parseArgs) and turns what it throws into a UsageError. */
export function parsedAsUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `--<option> <value>` as a whole number of at least 1. */
export function positiveInteger(option: string, value: string): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1) throw new UsageError(`--${option} ${JSON.stringify(value)} is not a positive integer`);
  return parsed;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
/** A bug in querylens itself, not in the input. */
export const EXIT_INTERNAL = 3;
