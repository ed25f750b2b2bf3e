/**
 * The SQL engine as the running agent uses it: one statement cache for
 * runtime statements, the parser compiled on V8's background threads from
 * the agent's start (statements seen before it is ready are timed under
 * their first keyword, then queued and recorded in the per-statement
 * statistics once it is), unknown rule ids in QUERYLENS_RULES reported once,
 * parse failures exported as a counter.
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
import { isSqlParserReady, loadSqlParser, sqlParser, type SqlParser } from '../sql/parse/parser';
import { unknownRuleIds } from '../sql/ruleEngine';
import { ALL_RULES } from '../sql/rules/index';
import { keepWasmOnBaselineCompiler } from './wasmTiering';
import { RULE_CATALOGUE } from '../sql/catalogue/ruleCatalogue';

export interface RuntimeSqlEngine {
  readonly statements: StatementCache;
  readonly parserReady: () => boolean;
  /**
   * Resolves once the statements waiting for the parser are recorded: before
   * the last export of a process that ends while the parser still loads.
   */
  readonly catchUp: () => Promise<void>;
}

/**
 * V8 compiles WebAssembly lazily, each function on its first call and on the
 * main thread: libpg_query's first parse then holds the app for about 90 ms
 * and its first fingerprint for more (a single huge function cannot be
 * compiled in slices). Compiled eagerly, the work happens on V8's background
 * threads while the module loads asynchronously. On one of them, not one per
 * core: each compile thread keeps what it allocated in a malloc arena of its
 * own after the compile ends, and each extra thread held 2.5 to 4 MiB more
 * RSS for the life of the process (bench/README.md). The flags are
 * process-wide, so each is set only while the parser compiles and left alone
 * when the user set it.
 */
const COMPILE_FLAGS = [
  { name: 'wasm-lazy-compilation', whileCompiling: '--no-wasm-lazy-compilation', after: '--wasm-lazy-compilation' },
  // V8's default, restored after: 128, as many tasks as the platform has threads.
  { name: 'wasm-num-compilation-tasks', whileCompiling: '--wasm-num-compilation-tasks=1', after: '--wasm-num-compilation-tasks=128' },
] as const;

export type CompileFlag = (typeof COMPILE_FLAGS)[number];

/** The compile flags the agent may set: those the user set neither on the command line nor in NODE_OPTIONS. */
export function parserCompileFlags(execArgv: readonly string[], nodeOptions: string | undefined): CompileFlag[] {
  const given = [...execArgv, nodeOptions ?? ''];
  return COMPILE_FLAGS.filter((flag) => !given.some((arg) => arg.includes(flag.name)));
}

let eagerLoad: Promise<void> | undefined;

function loadParserCompiledEagerly(): Promise<void> {
  eagerLoad ??= (() => {
    const flags = parserCompileFlags(process.execArgv, process.env.NODE_OPTIONS);
    for (const flag of flags) setFlagsFromString(flag.whileCompiling);
    return loadSqlParser().finally(() => {
      for (const flag of flags) setFlagsFromString(flag.after);
    });
  })();
  return eagerLoad;
}

/**
 * The first calls after load still take some milliseconds each (the parser's
 * JavaScript glue and the engine's rules compile on first use): made one per
 * turn of the event loop right after the parser loads, each of libpg_query's
 * entry points first and then whole analyses, none holds the app up for long
 * and they stay out of the app's first statements.
 */
const WARM_UP_STATEMENTS = [
  'SELECT a.id, b.name FROM a JOIN b ON a.id = b.a_id WHERE a.x = $1 AND b.y LIKE $2 ORDER BY a.id LIMIT 10 OFFSET 5',
  "INSERT INTO t (a, b) VALUES ($1, 'x') ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING id",
  'UPDATE t SET a = a + 1 WHERE id IN (SELECT id FROM u WHERE v IS NULL)',
  'WITH r AS (SELECT count(*) AS n FROM t GROUP BY k HAVING count(*) > 1) DELETE FROM t USING r WHERE t.k = r.n',
];

function warmUpSteps(parser: SqlParser, options: AnalyzerOptions): (() => unknown)[] {
  const [first] = WARM_UP_STATEMENTS;
  return [
    () => parser.parse(first),
    () => parser.fingerprint(first),
    () => parser.normalize(first),
    () => parser.scan(first),
    ...WARM_UP_STATEMENTS.map((text) => () => analyzeStatement(text, options)),
  ];
}

/** Runs the steps one per turn of the event loop from the next one on, then calls `done`. */
function warmUp(steps: readonly (() => unknown)[], done: () => void): void {
  const step = (index: number): void => {
    try {
      steps[index]();
    } catch (error) {
      reportAgentError('sql-parser', error);
      done();
      return;
    }
    if (index + 1 < steps.length) setImmediate(() => step(index + 1)).unref();
    else done();
  };
  setImmediate(() => step(0)).unref();
}

/** Resolves once the parser is loaded and warm (or could not load: reported, and the engine goes on without it). */
function loadParser(options: AnalyzerOptions): Promise<void> {
  return loadParserCompiledEagerly()
    .then(() => new Promise<void>((resolve) => {
      const parser = sqlParser();
      if (parser === undefined) resolve();
      else warmUp(warmUpSteps(parser, options), resolve);
    }))
    .catch((error: unknown) => reportAgentError('sql-parser', error));
}

/** Keeps the process alive while `work` runs: the parser's asynchronous compile holds no handle of its own. */
async function holdingTheLoop(work: () => Promise<void>): Promise<void> {
  const hold = setInterval(() => undefined, 1000);
  try {
    await work();
  } finally {
    clearInterval(hold);
  }
}

/** One line for the ids in QUERYLENS_RULES that name no rule of any kind (statement, plan, runtime). */
export function warnUnknownRules(disabledRules: ReadonlySet<string>, warn: (line: string) => void): void {
  const unknown = unknownRuleIds(disabledRules);
  if (unknown.length === 0) return;
  warn(`querylens: QUERYLENS_RULES names unknown rules ${unknown.map((id) => `"${id}"`).join(', ')} (accepted: ${RULE_CATALOGUE.map((rule) => rule.id).join(', ')}); they are ignored`);
}

export function startSqlEngine(config: QuerylensConfig, warn: (line: string) => void): RuntimeSqlEngine {
  warnUnknownRules(config.disabledRules, warn);
  if (!config.wasmTierUp) keepWasmOnBaselineCompiler();
  const options = { maxSqlLength: config.maxSqlLength, disabledRules: config.disabledRules, source: 'runtime' as const, rules: ALL_RULES };
  const warm = loadParser(options);
  const statements = new StatementCache(
    options,
    DEFAULT_STATEMENT_CACHE_LIMITS,
    new AnalysisBudget({ maxMsPerWindow: config.analysisBudgetMs, windowMs: 1000 }),
    (error) => reportAgentError('sql-analysis', error),
    // Statements queued before the parser was ready are analysed once it is warm: the
    // first (cold) analyses stay in the warm-up's turns, not in the queue's.
    (callback) => {
      void warm.then(callback);
    },
  );
  const catchUp = (): Promise<void> => {
    if (statements.counts().pending === 0) return Promise.resolve();
    return holdingTheLoop(async () => {
      await warm;
      await statements.caughtUp();
    }).catch((error: unknown) => reportAgentError('sql-parser', error));
  };
  // Ready once warm too: the first, cold analyses would spend the hot path's budget on an app that waited for it.
  let warmed = false;
  void warm.then(() => {
    warmed = true;
  });
  return { statements, parserReady: () => warmed && isSqlParserReady(), catchUp };
}

export function observeSqlEngine(meter: Meter, engine: RuntimeSqlEngine): void {
  const unparseable = createObservableCounter(meter, METRICS.unparseableStatements);
  unparseable.addCallback((result) => {
    const counts = engine.statements.counts();
    result.observe(counts.unparseable + counts.overlong);
  });
}
