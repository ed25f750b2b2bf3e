import type { Rule, RuleHit } from '../rule';
import type { Visit } from '../parse/parseTree';
import { columnQualifier, columnRefs, fromTables, list, str } from '../parse/nodeReaders';
import { asNode, child, nodesOfType, unwrapNode, walk } from '../parse/parseTree';
import { hitAt } from '../ruleWording';

/** The names by which columns of one top-level FROM item are qualified. */
function itemReferences(item: unknown): readonly string[] {
  const node = unwrapNode(item);
  if (node === undefined) return [];
  const [type, fields] = node;
  const alias = str(child(fields, 'alias') ?? {}, 'aliasname');
  if (type === 'JoinExpr') return [...[fields['larg'], fields['rarg']].flatMap(itemReferences), ...(alias === undefined ? [] : [alias])];
  if (type === 'RangeVar') return fromTables([item]).map((table) => table.reference);
  return alias === undefined ? [] : [alias];
}

/** A FROM item that may refer to the items before it (LATERAL, or a function call, which is implicitly lateral). */
function isLateral(item: unknown): boolean {
  const node = unwrapNode(item);
  return node !== undefined && (node[0] === 'RangeFunction' || node[1]['lateral'] === true);
}

/**
 * The FROM items no WHERE condition connects to the first one, by union of
 * the table qualifiers each comparison mentions. Undefined when a comparison
 * between columns has an unqualified column: its table cannot be told
 * without the schema, so the rule stays silent.
 */
function unconnectedItems(items: readonly unknown[], where: unknown): readonly number[] | undefined {
  const owner = new Map<string, number>();
  items.forEach((item, index) => itemReferences(item).forEach((reference) => owner.set(reference, index)));
  const group = items.map((_, index) => index);
  const root = (index: number): number => (group[index] === index ? index : root(group[index]));
  for (const { type, fields } of where === undefined ? [] : walk(where)) {
    if (type !== 'A_Expr') continue;
    const columns = columnRefs({ A_Expr: fields });
    const qualifiers = columns.map(columnQualifier);
    if (columns.length >= 2 && qualifiers.includes(undefined)) return undefined;
    const indexes = qualifiers.flatMap((qualifier) => (qualifier !== undefined && owner.has(qualifier) ? [owner.get(qualifier) ?? 0] : []));
    for (const index of indexes.slice(1)) group[root(index)] = root(indexes[0]);
  }
  items.forEach((item, index) => {
    if (isLateral(item)) group[root(index)] = root(0);
  });
  return items.map((_, index) => index).filter((index) => root(index) !== root(0));
}

/** The FROM items a statement joins: its FROM list, plus the target table of UPDATE … FROM and DELETE … USING. */
function joinedItems({ type, fields }: Visit): readonly unknown[] {
  const target = child(fields, 'relation');
  if (type === 'UpdateStmt' && target !== undefined) return [{ RangeVar: target }, ...list(fields, 'fromClause')];
  if (type === 'DeleteStmt' && target !== undefined) return [{ RangeVar: target }, ...list(fields, 'usingClause')];
  return list(fields, 'fromClause');
}

export const rule: Rule = {
  id: 'implicit-cross-join',
  category: 'performance',
  severity: 'warning',
  description: 'Tables listed with commas in FROM (or UPDATE … FROM, DELETE … USING) that no WHERE condition connects: every row of one is paired with every row of the other. An explicit CROSS JOIN is taken as intended.',
  suggestion: 'Write the join explicitly, `a JOIN b ON b.a_id = a.id`, so a missing condition is a syntax error; use CROSS JOIN when the product is really wanted.',
  check: ({ stmt }) =>
    ['SelectStmt', 'UpdateStmt', 'DeleteStmt'].flatMap((type) => nodesOfType(stmt, type)).flatMap((visit): RuleHit[] => {
      const { fields } = visit;
      const items = joinedItems(visit);
      if (items.length < 2) return [];
      const unconnected = unconnectedItems(items, fields['whereClause']);
      const first = unconnected?.[0];
      if (first === undefined) return [];
      const label = (item: unknown) => itemReferences(item).map((reference) => `"${reference}"`).join(', ') || 'a subquery';
      const located = asNode(items[first], 'RangeVar') ?? fields;
      return [hitAt(`${label(items[first])} is joined to ${label(items[0])} with no join condition (a cross join)`, located)];
    }),
};
