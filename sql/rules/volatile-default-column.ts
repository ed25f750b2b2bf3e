import type { Rule, RuleHit } from '../rule';
import type { Fields } from '../parse/parseTree';
import { columnTypeName, functionName, isSerialColumn, list, str } from '../parse/nodeReaders';
import { asNode, nodesOfType } from '../parse/parseTree';
import { alterTableCommands } from '../parse/writeStatements';
import { hitAt } from '../ruleWording';

// Known volatile functions: a default calling one is evaluated for every
// existing row, which rewrites the table. Serial types default to nextval().
const VOLATILE_FUNCTIONS = new Set(['random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7', 'clock_timestamp', 'timeofday', 'nextval', 'txid_current', 'setseed']);
/**
 * Column kinds whose value is computed for every existing row when added:
 * identity, and STORED generated columns (VIRTUAL ones, PostgreSQL 18, are not).
 */
function filledByRewrite(constraint: Fields): string | undefined {
  const type = str(constraint, 'contype');
  if (type === 'CONSTR_IDENTITY') return 'an identity column';
  return type === 'CONSTR_GENERATED' && str(constraint, 'generated_kind') === 's' ? 'a stored generated column' : undefined;
}
// Stable or immutable functions that are common in defaults: PostgreSQL 11+
// evaluates such a default once and stores it, without a rewrite. now() is
// STABLE, so (as squawk does) it is not flagged.
const NON_VOLATILE_FUNCTIONS = new Set(['now', 'transaction_timestamp', 'statement_timestamp', 'lower', 'upper', 'btrim', 'concat', 'coalesce', 'to_jsonb', 'to_json', 'jsonb_build_object', 'json_build_object', 'jsonb_build_array', 'json_build_array', 'make_interval', 'make_date', 'make_timestamp', 'make_timestamptz', 'to_timestamp', 'date_trunc', 'array_fill']);

/** The first PostgreSQL that stores a non-volatile default once instead of rewriting the table. */
const FAST_DEFAULT_VERSION = 11;

/** `DEFAULT NULL` adds nothing to store, in any version. */
function isNullDefault(constraint: Fields): boolean {
  return asNode(constraint['raw_expr'], 'A_Const')?.['isnull'] === true;
}

export const rule: Rule = {
  id: 'volatile-default-column',
  category: 'migration',
  severity: 'warning',
  description: 'ALTER TABLE … ADD COLUMN with a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval(), a serial type, an identity or stored generated column) or a function of unknown volatility: the table is rewritten under an ACCESS EXCLUSIVE lock. Constant and stable defaults such as 0 or now() are cheap since PostgreSQL 11; when lint targets an older version (postgresVersion in its config file), every default but NULL is flagged.',
  suggestion: 'Add the column without a default (or with a constant one), set the default in a second ALTER (it then applies to new rows only), and backfill existing rows in batches.',
  sources: ['file'],
  check: ({ stmt, postgresVersion }) =>
    alterTableCommands(stmt).flatMap(({ table, subtype, command }): RuleHit[] => {
      const column = asNode(command['def'], 'ColumnDef');
      if (subtype !== 'AT_AddColumn' || column === undefined) return [];
      const name = str(column, 'colname') ?? '';
      if (isSerialColumn(column)) return [hitAt(`column "${name}" added to "${table}" as ${columnTypeName(column)}, whose nextval() default rewrites the table`, column)];
      const constraints = list(column, 'constraints').flatMap((constraint): Fields[] => {
        const fields = asNode(constraint, 'Constraint');
        return fields === undefined ? [] : [fields];
      });
      const filled = constraints.map(filledByRewrite).find((what) => what !== undefined);
      if (filled !== undefined) return [hitAt(`column "${name}" added to "${table}" as ${filled}: every existing row gets a value, rewriting the table`, column)];
      const defaults = constraints.filter((constraint) => str(constraint, 'contype') === 'CONSTR_DEFAULT');
      if (postgresVersion !== undefined && postgresVersion < FAST_DEFAULT_VERSION && defaults.some((constraint) => !isNullDefault(constraint))) {
        return [hitAt(`column "${name}" added to "${table}" with a default: before PostgreSQL ${FAST_DEFAULT_VERSION} (the target is ${postgresVersion}) any default rewrites the table`, column)];
      }
      const call = defaults
        .flatMap((constraint) => nodesOfType(constraint, 'FuncCall'))
        .map(({ fields }) => functionName(fields))
        .find((fn) => !NON_VOLATILE_FUNCTIONS.has(fn));
      if (call === undefined) return [];
      const why = VOLATILE_FUNCTIONS.has(call) ? 'is volatile' : 'may be volatile (unknown to querylens)';
      return [hitAt(`column "${name}" added to "${table}" with a default calling ${call}(), which ${why}: the table is rewritten`, column)];
    }),
};
