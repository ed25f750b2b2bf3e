/**
 * The SQL engine as the running agent uses it: one statement cache for
 * runtime statements, the parser loaded in the background (statements seen
 * before it is ready are labelled by their first keyword), unknown rule ids
 * in QUERYLENS_RULES reported once, parse failures exported as a counter.
 */
import { setFlagsFromString } from 'node:v8';
import type { Meter } from '@opentelemetry/api';
import type { QuerylensConfig } from './config';
import { reportAgentError } from '../core/agentErrors';
import { METRICS } from '../core/metrics/registry';
import { createObservableCounter } from '../core/metrics/instruments';
import { DEFAULT_STATEMENT_CACHE_LIMITS, StatementCache } from '../recording/statementCache';
import { analyzeStatement, type AnalyzerOptions } from '../sql/analyzeStatement';
import { AnalysisBudget } from '../recording/analysisBudget';
import { isSqlParserReady, loadSqlParser } from '../sql/parse/parser';
import { unknownRuleIds } from '../sql/ruleEngine';
import { ALL_RULES } from '../sql/rules/index';

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
export function keepWasmOnBaselineCompiler(): void {
  setFlagsFromString('--no-wasm-tier-up');
  setFlagsFromString('--no-wasm-dynamic-tiering');
}

/**
 * WebAssembly compiles lazily: the first analysis after load takes over
 * 100 ms, the next few some milliseconds. Paying that once at startup, right
 * after the parser loads, keeps it out of the app's first statements.
 */
const WARM_UP_STATEMENTS = [
  'SELECT a.id, b.name FROM a JOIN b ON a.id = b.a_id WHERE a.x = $1 AND b.y LIKE $2 ORDER BY a.id LIMIT 10 OFFSET 5',
  "INSERT INTO t (a, b) VALUES ($1, 'x') ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING id",
  'UPDATE t SET a = a + 1 WHERE id IN (SELECT id FROM u WHERE v IS NULL)',
  'WITH r AS (SELECT count(*) AS n FROM t GROUP BY k HAVING count(*) > 1) DELETE FROM t USING r WHERE t.k = r.n',
];

function warmUp(options: AnalyzerOptions): void {
  for (const text of WARM_UP_STATEMENTS) analyzeStatement(text, options);
}

export function startSqlEngine(config: QuerylensConfig, warn: (line: string) => void): RuntimeSqlEngine {
  const unknown = unknownRuleIds(config.disabledRules, ALL_RULES);
  if (unknown.length > 0) {
    warn(`querylens: QUERYLENS_RULES names unknown rules ${unknown.map((id) => `"${id}"`).join(', ')} (accepted: ${ALL_RULES.map((rule) => rule.id).join(', ')}); they are ignored`);
  }
  if (!config.wasmTierUp) keepWasmOnBaselineCompiler();
  const options = { maxSqlLength: config.maxSqlLength, disabledRules: config.disabledRules, source: 'runtime' as const, rules: ALL_RULES };
  loadSqlParser()
    .then(() => warmUp(options))
    .catch((error: unknown) => reportAgentError('sql-parser', error));
  const statements = new StatementCache(
    options,
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
