import type { Rule, RuleHit } from '../rule';
import { columnQualifier, columnRefParts, fromTables, list } from '../parse/nodeReaders';
import { asNode, nodesOfType } from '../parse/parseTree';
import { insideSubquery } from '../parse/queryContext';
import { hitAt, quotedList } from '../ruleWording';

export const rule: Rule = {
  id: 'select-star',
  category: 'performance',
  severity: 'warning',
  description: 'SELECT * (or t.*) in a query whose rows reach the client: every column is read and sent, and the result changes shape when the table does.',
  suggestion: 'Name the columns the code uses. Inside EXISTS (…), subqueries and CTEs the star is not flagged: PostgreSQL keeps only the columns the outer query needs.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'SelectStmt')
      .filter((select) => !insideSubquery(select))
      .flatMap((select): RuleHit[] => {
        const stars = list(select.fields, 'targetList')
          .map((target) => asNode(asNode(target, 'ResTarget')?.['val'], 'ColumnRef'))
          .filter((columnRef) => columnRef !== undefined && columnRefParts(columnRef).at(-1) === '*');
        const star = stars[0];
        if (star === undefined) return [];
        const qualifier = columnQualifier(star);
        const read = fromTables(list(select.fields, 'fromClause')).filter((from) => qualifier === undefined || from.reference === qualifier);
        const tables = quotedList(read.map((from) => from.table));
        return [hitAt(`SELECT ${columnRefParts(star).join('.')} reads every column of ${tables === '' ? 'its FROM list' : tables}`, star)];
      }),
};
