/**
 * The SQL engine as the running agent uses it: one statement cache for
 * runtime statements, the parser loaded in the background (statements seen
 * before it is ready are labelled by their first keyword), unknown rule ids
 * in QUERYLENS_RULES reported once, parse failures exported as a counter.
 */
import type { Meter } from '@opentelemetry/api';
import type { QuerylensConfig } from './config';
import { reportAgentError } from './agentErrors';
import { METRICS } from './metrics/registry';
import { createObservableCounter } from './metrics/instruments';
import { StatementCache } from './sql/statementCache';
import { isSqlParserReady, loadSqlParser } from './sql/parser';
import { unknownRuleIds } from './sql/ruleEngine';
import { ALL_RULES } from './sql/rules/index';

export interface RuntimeSqlEngine {
  readonly statements: StatementCache;
  readonly parserReady: () => boolean;
}

export function startSqlEngine(config: QuerylensConfig, warn: (line: string) => void): RuntimeSqlEngine {
  const unknown = unknownRuleIds(config.disabledRules, ALL_RULES);
  if (unknown.length > 0) {
    warn(`querylens: QUERYLENS_RULES names unknown rules ${unknown.map((id) => `"${id}"`).join(', ')} (accepted: ${ALL_RULES.map((rule) => rule.id).join(', ')}); they are ignored`);
  }
  loadSqlParser().catch((error: unknown) => reportAgentError('sql-parser', error));
  const statements = new StatementCache({
    maxSqlLength: config.maxSqlLength,
    disabledRules: config.disabledRules,
    source: 'runtime',
    rules: ALL_RULES,
  });
  return { statements, parserReady: isSqlParserReady };
}

export function observeSqlEngine(meter: Meter, engine: RuntimeSqlEngine): void {
  const unparseable = createObservableCounter(meter, METRICS.unparseableStatements);
  unparseable.addCallback((result) => {
    const counts = engine.statements.counts();
    result.observe(counts.unparseable + counts.overlong);
  });
}
