import type { Rule } from '../rule';
import type { Fields, Visit } from '../parse/parseTree';
import { columnRefParts, columnRefs, columnTypeName, isComparison } from '../parse/nodeReaders';
import { nodesOfType } from '../parse/parseTree';
import { predicateClause } from '../parse/queryContext';
import { constValue } from '../parse/valueReaders';
import { clauseLabel, hitAt, quotedList } from '../ruleWording';

/** The column an A_Expr compares, named; memoized per A_Expr by the caller's map. */
type ColumnOf = (aExpr: Fields) => string | undefined;

/**
 * The comparison a literal is a direct operand of (through casts and IN /
 * BETWEEN lists), when it is compared with a column; undefined for literals
 * inside functions or arithmetic (`now() - interval '1 day'`), which are part
 * of the query's logic rather than data pasted into its text.
 */
function comparedColumn(literal: Visit, columnOf: ColumnOf): string | undefined {
  let node = literal.parent;
  while (node !== undefined && (node.type === 'TypeCast' || node.type === 'List' || node.type === 'A_ArrayExpr')) {
    if (node.type === 'TypeCast' && columnTypeName(node.fields) === 'interval') return undefined;
    node = node.parent;
  }
  if (node === undefined || node.type !== 'A_Expr') return undefined;
  if (!isComparison(node.fields)) return undefined;
  return columnOf(node.fields);
}

/**
 * Every literal of an `IN (…)` list shares one A_Expr: its column is found
 * once, not once per literal (which made a 16,000-item list cost minutes).
 */
function memoizedColumnOf(): ColumnOf {
  const columns = new Map<Fields, string | undefined>();
  return (aExpr) => {
    if (!columns.has(aExpr)) {
      const column = columnRefs({ A_Expr: aExpr })[0];
      columns.set(aExpr, column === undefined ? undefined : columnRefParts(column).join('.'));
    }
    return columns.get(aExpr);
  };
}

export const rule: Rule = {
  id: 'non-parameterized-literal',
  category: 'security',
  severity: 'info',
  description: 'A string or number literal compared with a column in WHERE, JOIN … ON or HAVING of a statement sent by the app: the mark of SQL built by string concatenation (injection risk, one statement text per value). NULL, booleans, LIMIT/OFFSET and interval constants are not counted. Runtime only: literals in migration files are normal.',
  suggestion: 'Pass the value as a parameter (`WHERE email = $1` with `[email]`); a constant that never changes can stay: mark its statement with `-- querylens-disable-next-line non-parameterized-literal`, or switch the rule off with QUERYLENS_RULES=-non-parameterized-literal.',
  sources: ['runtime'],
  check: ({ stmt }) => {
    const columnOf = memoizedColumnOf();
    const compared = nodesOfType(stmt, 'A_Const').flatMap((literal) => {
      const kind = constValue(literal.fields).kind;
      const clause = predicateClause(literal);
      const column = kind === 'string' || kind === 'number' ? comparedColumn(literal, columnOf) : undefined;
      return clause === undefined || column === undefined ? [] : [{ literal, clause, column }];
    });
    const first = compared[0];
    if (first === undefined) return [];
    const columns = [...new Set(compared.map((entry) => entry.column))];
    const clauses = [...new Set(compared.map((entry) => clauseLabel(entry.clause)))].join(' and ');
    const count = compared.length === 1 ? 'a literal value' : `${compared.length} literal values`;
    const target = `${columns.length === 1 ? 'column' : 'columns'} ${quotedList(columns)}`;
    return [hitAt(`${count} compared with ${target} in ${clauses} instead of parameters`, first.literal.fields)];
  },
};
