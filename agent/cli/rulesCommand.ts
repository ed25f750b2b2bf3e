/**
 * `querylens rules`: the whole catalogue, one rule per line (or JSON): the
 * statement rules lint and the agent check, the plan rules, the runtime
 * detectors and lint's own findings. Every id listed can be switched off
 * (QUERYLENS_RULES, --disable, the config file) and named in a suppression comment.
 */
import { RULE_CATALOGUE } from '../../sql/catalogue/ruleCatalogue';
import type { CliCommand, CliIo } from './command';
import { EXIT_OK, UsageError } from './command';

export const rulesCommand: CliCommand = {
  name: 'rules',
  summary: 'list every rule: statement, plan and runtime rules (id, severity, category, kind, what each looks for)',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const json = args.includes('--json');
    const unexpected = args.filter((arg) => arg !== '--json');
    if (unexpected.length > 0) throw new UsageError(`querylens rules takes only --json, not ${unexpected.join(' ')}`);
    if (json) {
      const rows = RULE_CATALOGUE.map(({ id, kind, severity, category, sources, description, suggestion, fix }) => ({
        id, kind, severity, category, sources, description, suggestion, ...(fix === undefined ? {} : { fix }),
      }));
      io.out(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT_OK;
    }
    const idWidth = Math.max(...RULE_CATALOGUE.map((rule) => rule.id.length));
    io.out(RULE_CATALOGUE.map((rule) => `${rule.id.padEnd(idWidth)}  ${rule.severity.padEnd(7)}  ${rule.category.padEnd(11)}  ${rule.kind.padEnd(9)}  ${rule.description}`).join('\n') + '\n');
    return EXIT_OK;
  },
};
