/** `querylens rules`: the catalogue lint and the agent check, one rule per line (or JSON). */
import { lintCatalogue } from '../../sql/lint/lintSql';
import type { CliCommand, CliIo } from './command';
import { EXIT_OK, UsageError } from './command';

export const rulesCommand: CliCommand = {
  name: 'rules',
  summary: 'list the rules (id, severity, category, what each looks for)',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const json = args.includes('--json');
    const unexpected = args.filter((arg) => arg !== '--json');
    if (unexpected.length > 0) throw new UsageError(`querylens rules takes only --json, not ${unexpected.join(' ')}`);
    const catalogue = lintCatalogue();
    if (json) {
      io.out(`${JSON.stringify(catalogue.map(({ id, severity, category, description, suggestion }) => ({ id, severity, category, description, suggestion })), null, 2)}\n`);
      return EXIT_OK;
    }
    const idWidth = Math.max(...catalogue.map((rule) => rule.id.length));
    io.out(catalogue.map((rule) => `${rule.id.padEnd(idWidth)}  ${rule.severity.padEnd(7)}  ${rule.category.padEnd(11)}  ${rule.description}`).join('\n') + '\n');
    return EXIT_OK;
  },
};
