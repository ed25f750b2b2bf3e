// SQL engine cost: cold analyses per second (every text new), hot lookups per
// second (cached text), and memory across a flood of 100k distinct statements
// through the bounded statement cache, with WebAssembly on the baseline compiler
// as the agent runs it. Runs against dist/ (npm run build first):
//   node --expose-gc bench/sql-analysis.mjs
// Not a timed test: figures depend on the machine and on what else runs on it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// As the running agent does (QUERYLENS_WASM_TIER_UP=on to measure V8's default).
if (process.env.QUERYLENS_WASM_TIER_UP !== 'on') require('../dist/agent/startAnalysis.js').keepWasmOnBaselineCompiler();
const { loadSqlParser } = require('../dist/sql/parse/parser.js');
const { StatementCache, DEFAULT_STATEMENT_CACHE_LIMITS } = require('../dist/recording/statementCache.js');

const COLD_TEXTS = 10_000;
const HOT_LOOKUPS = 2_000_000;
const FLOOD_TEXTS = 100_000;
const options = { maxSqlLength: 100_000, disabledRules: new Set(), source: 'runtime' };

// Literal-built SQL of a few shapes, as an app that concatenates values sends it: every text is distinct.
function statement(i) {
  switch (i % 4) {
    case 0:
      return `SELECT id, email, created_at FROM users WHERE id = ${i} AND status = 'active-${i}'`;
    case 1:
      return `SELECT o.id, o.total, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.user_id = ${i} ORDER BY o.created_at DESC LIMIT 20`;
    case 2:
      return `UPDATE sessions SET last_seen = now(), hits = hits + 1 WHERE token = 'tok-${i}'`;
    default:
      return `INSERT INTO events (kind, payload, user_id) VALUES ('click', '{"n":${i}}', ${i})`;
  }
}

function mb(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function memory() {
  globalThis.gc?.();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}

await loadSqlParser();

// Warm-up (not timed): the JIT and V8's background optimization of the parser's WebAssembly.
const warmUp = new StatementCache(options);
for (let i = 0; i < 5_000; i += 1) warmUp.analyze(statement(i + 1_000_000));
await new Promise((resolve) => setTimeout(resolve, 3_000));

// Cold: every text new. With no rules, the cost of libpg_query alone (parse, fingerprint, normalize) and our tree walk.
let started = 0;
for (const [label, rules] of [['parser only', []], ['all rules', undefined]]) {
  const cold = new StatementCache({ ...options, rules });
  started = performance.now();
  for (let i = 0; i < COLD_TEXTS; i += 1) cold.analyze(statement(i));
  const seconds = (performance.now() - started) / 1000;
  console.log(`cold (${label}): ${COLD_TEXTS} distinct texts in ${seconds.toFixed(2)} s = ${Math.round(COLD_TEXTS / seconds)} analyses/s`);
}

const hot = new StatementCache(options);
const hotTexts = Array.from({ length: 100 }, (_, i) => statement(i));
for (const text of hotTexts) hot.analyze(text);
started = performance.now();
let sink = 0;
for (let i = 0; i < HOT_LOOKUPS; i += 1) sink += hot.analyze(hotTexts[i % hotTexts.length]).statementCount;
const hotSeconds = (performance.now() - started) / 1000;
console.log(`hot: ${HOT_LOOKUPS} lookups of 100 cached texts in ${hotSeconds.toFixed(2)} s = ${Math.round(HOT_LOOKUPS / hotSeconds)} lookups/s (${sink > 0 ? 'ok' : 'no result'})`);

// Flood: memory is sampled at each quarter; bounded means the later samples stop growing.
const flood = new StatementCache(options);
const samples = [memory()];
started = performance.now();
for (let i = 0; i < FLOOD_TEXTS; i += 1) {
  flood.analyze(statement(i + COLD_TEXTS));
  if ((i + 1) % (FLOOD_TEXTS / 4) === 0) samples.push(memory());
}
const floodSeconds = (performance.now() - started) / 1000;
const counts = flood.counts();
console.log(`flood: ${FLOOD_TEXTS} distinct statements in ${floodSeconds.toFixed(1)} s; cache holds ${counts.entries} (cap ${DEFAULT_STATEMENT_CACHE_LIMITS.maxEntries}), evicted ${counts.evictions}, ${counts.textChars} text chars`);
console.log(`RSS at 0/25/50/75/100%: ${samples.map((sample) => mb(sample.rss)).join(' / ')}`);
console.log(`heap used at 0/25/50/75/100%: ${samples.map((sample) => mb(sample.heapUsed)).join(' / ')}${globalThis.gc ? '' : ' (run with --expose-gc for settled figures)'}`);
console.log(`external (the parser's WebAssembly memory) at 0/100%: ${mb(samples[0].external)} / ${mb(samples[samples.length - 1].external)}`);
// RSS also moves with V8 compiling the parser's WebAssembly to optimized code in the background
// (once per process, whatever the statements): the peak shows it, see docs/sql-engine.md.
console.log(`peak RSS of the process: ${mb(process.resourceUsage().maxRSS * 1024)}`);
