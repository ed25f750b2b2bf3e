import type { Rule, RuleHit } from '../rule';
import { functionName } from '../parse/nodeReaders';
import { nodesOfType } from '../parse/parseTree';
import { hitAt } from '../ruleWording';

const SLEEP_FUNCTIONS = new Set(['pg_sleep', 'pg_sleep_for', 'pg_sleep_until']);

export const rule: Rule = {
  id: 'time-delay-call',
  category: 'security',
  severity: 'error',
  description: 'A call to pg_sleep, pg_sleep_for or pg_sleep_until: it holds a connection (and any locks) idle, and is the classic probe of time-based blind SQL injection.',
  suggestion: 'Wait in the application (a timer, a job queue), never inside a statement; if the call was not written by the team, treat it as an injection attempt and check how the text was built.',
  check: ({ stmt }) =>
    nodesOfType(stmt, 'FuncCall')
      .filter(({ fields }) => SLEEP_FUNCTIONS.has(functionName(fields)))
      .map(({ fields }): RuleHit => hitAt(`calls ${functionName(fields)}(), which holds the connection idle`, fields)),
};
