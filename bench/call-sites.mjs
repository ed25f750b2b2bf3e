// What a call site costs the app: one stack capture (captureCallSite, through
// pg-like depth), and the per-statement sampling decision every statement
// pays (CallSiteSampler), in nanoseconds on this machine. The steady-state
// cost per statement is the decision plus one capture in SAMPLE_EVERY.
// Usage: npm run build && node bench/call-sites.mjs
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './modes.mjs';

const require = createRequire(import.meta.url);
const { captureCallSite } = require(join(ROOT, 'dist', 'instrumentations', 'pg', 'callSiteCapture.js'));
const { CallSiteSampler, SAMPLE_EVERY } = require(join(ROOT, 'dist', 'instrumentations', 'pg', 'callSiteSampler.js'));

const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const CAPTURES = 20_000;
const DECISIONS = 2_000_000;

/** A library between the app and the hook, as pg and pg-pool are: a few frames deep. */
function library(depth, hook) {
  return depth === 0 ? hook() : library(depth - 1, hook);
}

function hook() {
  return captureCallSite(hook, ROOT);
}

function nsPer(count, work) {
  const started = process.hrtime.bigint();
  work(count);
  return Number(process.hrtime.bigint() - started) / count;
}

const texts = Array.from({ length: 50 }, (_, index) => `SELECT id FROM bench_orders WHERE customer_id = $${index + 1}`);
const rows = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const capture = nsPer(CAPTURES, (count) => {
    for (let index = 0; index < count; index += 1) library(8, hook);
  });
  const sampler = new CallSiteSampler(true);
  const decision = nsPer(DECISIONS, (count) => {
    for (let index = 0; index < count; index += 1) sampler.shouldCapture(texts[index % texts.length]);
  });
  rows.push({ round: round + 1, 'capture (ns)': Math.round(capture), 'sampling decision (ns)': Number(decision.toFixed(1)), 'steady state per statement (ns)': Number((decision + capture / SAMPLE_EVERY).toFixed(1)) });
}
console.log(`call sites: one capture ${CAPTURES}x through 8 library frames; one sampling decision ${DECISIONS}x over ${texts.length} texts; steady state = decision + capture / ${SAMPLE_EVERY}`);
console.table(rows);
