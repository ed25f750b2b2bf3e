import type { Rule } from '../rule';

export const rule: Rule = {
  id: 'stacked-statements',
  category: 'security',
  severity: 'warning',
  description: 'More than one statement sent in one call (`SELECT …; DELETE …`): only possible through the simple query protocol, which is also what a `; DROP TABLE` injection needs. Runtime only: migration files hold many statements by design.',
  suggestion: 'Send one statement per call with parameters (the extended protocol refuses stacked statements); group them in a transaction when they must run together.',
  sources: ['runtime'],
  check: ({ statementCount }) => (statementCount > 1 ? [{ message: `one call sends ${statementCount} statements` }] : []),
};
