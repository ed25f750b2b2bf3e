/**
 * The SQL engine as the running agent uses it: one statement cache for
 * runtime statements, the parser loaded in the background (statements seen
 * before it is ready are labelled by their first keyword), unknown rule ids
 * in QUERYLENS_RULES reported once, parse failures exported as a counter.
 */
import { setFlagsFromString } from 'node:v8';
import type { Meter } from '@opentelemetry/api';
import type { QuerylensConfig } from './config';
import { reportAgentError } from './agentErrors';
import { METRICS } from './metrics/registry';
import { createObservableCounter } from './metrics/instruments';
import { DEFAULT_STATEMENT_CACHE_LIMITS, StatementCache } from './sql/statementCache';
import { AnalysisBudget } from './sql/analysisBudget';
import { isSqlParserReady, loadSqlParser } from './sql/parser';
import { unknownRuleIds } from './sql/ruleEngine';
import { ALL_RULES } from './sql/rules/index';

export interface RuntimeSqlEngine {
  readonly statements: StatementCache;
  readonly parserReady: () => boolean;
}

/**
 * libpg_query's parser is one huge WebAssembly function. When V8 tiers it up
 * to TurboFan, the optimising compile takes 200–500 MB of RSS that the process
 * keeps, and the first statements wait for it; on V8's baseline compiler
 * (Liftoff) the agent stays near 70 MB and parses faster at our call rates.
 * The flags are process-wide and must be set before the module compiles, so
 * other WebAssembly in the app also stays on Liftoff: QUERYLENS_WASM_TIER_UP=on
 * restores V8's default.
 */
function keepWasmOnBaselineCompiler(): void {
  setFlagsFromString('--no-wasm-tier-up');
  setFlagsFromString('--no-wasm-dynamic-tiering');
}

export function startSqlEngine(config: QuerylensConfig, warn: (line: string) => void): RuntimeSqlEngine {
  const unknown = unknownRuleIds(config.disabledRules, ALL_RULES);
  if (unknown.length > 0) {
    warn(`querylens: QUERYLENS_RULES names unknown rules ${unknown.map((id) => `"${id}"`).join(', ')} (accepted: ${ALL_RULES.map((rule) => rule.id).join(', ')}); they are ignored`);
  }
  if (!config.wasmTierUp) keepWasmOnBaselineCompiler();
  loadSqlParser().catch((error: unknown) => reportAgentError('sql-parser', error));
  const statements = new StatementCache(
    { maxSqlLength: config.maxSqlLength, disabledRules: config.disabledRules, source: 'runtime', rules: ALL_RULES },
    DEFAULT_STATEMENT_CACHE_LIMITS,
    new AnalysisBudget({ maxMsPerWindow: config.analysisBudgetMs, windowMs: 1000 }),
  );
  return { statements, parserReady: isSqlParserReady };
}

export function observeSqlEngine(meter: Meter, engine: RuntimeSqlEngine): void {
  const unparseable = createObservableCounter(meter, METRICS.unparseableStatements);
  unparseable.addCallback((result) => {
    const counts = engine.statements.counts();
    result.observe(counts.unparseable + counts.overlong);
  });
}
