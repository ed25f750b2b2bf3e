/**
 * Faults end to end, on servers this test owns (a private redis-server and a
 * private PostgreSQL cluster): the same traffic app runs bare and with the
 * agent, side by side, through the same faults at the same moments. In each
 * fault the app with the agent sees exactly the errors the bare app sees, the
 * agent counts them, nothing is left unhandled, /metrics answers throughout,
 * and memory returns to its level.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort } from '../helpers/agentProcess';
import { ChildApp } from '../helpers/childApp';
import { PrivatePostgres, PrivateRedis } from '../helpers/privateServers';
import { find, parseSamples, type Sample } from '../helpers/promText';
import { METRICS } from '../../core/metrics/registry';

interface Stats {
  readonly ok: number;
  readonly errors: Record<string, number>;
  readonly unhandled: string[];
}
interface Memory {
  readonly heapUsed: number;
  readonly rss: number;
}

const APP = join(APPS, 'fault-traffic.cjs');
const APP_PREFIX = `ql-fault-${randomBytes(4).toString('hex')}`;
/** How long each fault lasts. */
const FAULT_MS = 2_500;

let redis: PrivateRedis;
let postgres: PrivatePostgres;
let bare: ChildApp;
let agent: ChildApp;
let metricsPort = 0;
let baseline: { bare: Memory; agent: Memory };

function startApp(name: string, withAgent: boolean): ChildApp {
  return new ChildApp(APP, {
    nodeArgs: withAgent ? ['--expose-gc', '--require', REGISTER_CJS] : ['--expose-gc'],
    env: {
      QL_PG_URL: postgres.url,
      QL_REDIS_URL: redis.url,
      QL_APP_NAME: `${APP_PREFIX}-${name}`,
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    },
  });
}

async function scrape(): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(2_000) });
  expect(response.status).toBe(200);
  return parseSamples(await response.text());
}

function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return find(samples, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}

/** Failed operations of one system as the duration histogram counts them: of one error type, or of any. */
function failedOperations(samples: Sample[], system: 'postgresql' | 'redis', errorType?: string): number {
  return find(samples, `${METRICS.dbOperationDuration.scraped}_count`, { db_system_name: system })
    .filter((sample) => (errorType === undefined ? sample.labels.error_type !== undefined : sample.labels.error_type === errorType))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Scrapes /metrics every 200 ms while `fault` runs: every scrape must answer, and quickly. */
async function scrapingThrough(fault: () => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let faulting = true;
  const scraper = (async () => {
    while (faulting) {
      const started = performance.now();
      await scrape();
      latencies.push(performance.now() - started);
      await sleep(200);
    }
  })();
  try {
    await fault();
  } finally {
    faulting = false;
  }
  await scraper;
  return latencies;
}

/** Both apps serve traffic again: their success counts grow and no new error comes for a while. */
async function recovered(): Promise<void> {
  const deadline = Date.now() + 20_000;
  let before = await Promise.all([bare.ask<Stats>('stats'), agent.ask<Stats>('stats')]);
  while (Date.now() < deadline) {
    await sleep(750);
    const after = await Promise.all([bare.ask<Stats>('stats'), agent.ask<Stats>('stats')]);
    const progressing = after.every((stats, i) => stats.ok > before[i].ok);
    const quiet = after.every((stats, i) => JSON.stringify(stats.errors) === JSON.stringify(before[i].errors));
    if (progressing && quiet) return;
    before = after;
  }
  throw new Error('the apps did not recover from the fault within 20 s');
}

/**
 * Error kinds with their counts: the class and code (`DatabaseError | 57P03`), or the class and
 * message when there is no code (`Error | Command timed out`); not where they surfaced.
 */
function errorKinds(errors: Record<string, number>): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const [signature, count] of Object.entries(errors)) {
    const [, errorClass, code, message] = signature.split(' | ');
    const kind = code === '' ? `${errorClass} | ${message}` : `${errorClass} | ${code}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + count);
  }
  return kinds;
}

/**
 * The kinds both apps must share. Two processes meet a fault at slightly
 * different instants even without any agent: whether a terminated connection
 * fails a query or an idle pooled client (a pool 'error' event), whether a
 * reconnect lands while PostgreSQL is "shutting down" or "starting up" (one
 * code, 57P03, two messages), whether one command is caught in flight by a
 * stopping server (or a stall of the whole machine), all depend on that
 * instant. So kinds are compared without source and by code, and a kind seen
 * by one app only, no more often than one instant can cause (one failure per
 * concurrent loop of the fixture), is a race: printed, not compared.
 * Everything else must match.
 */
const LOOPS_PER_CLIENT = 4;

function comparableKinds(own: Map<string, number>, other: Map<string, number>): string[] {
  return [...own].filter(([kind, count]) => count > LOOPS_PER_CLIENT || other.has(kind)).map(([kind]) => kind).sort();
}

/** Runs one fault against both apps; returns the kinds of errors each saw, and the scrape latencies. */
async function injected(fault: () => Promise<void>): Promise<{ bare: string[]; agent: string[]; latencies: number[] }> {
  await Promise.all([bare.ask('reset'), agent.ask('reset')]);
  const latencies = await scrapingThrough(fault);
  await recovered();
  const [bareStats, agentStats] = await Promise.all([bare.ask<Stats>('stats'), agent.ask<Stats>('stats')]);
  expect(bareStats.unhandled).toEqual([]);
  expect(agentStats.unhandled).toEqual([]);
  const bareKinds = errorKinds(bareStats.errors);
  const agentKinds = errorKinds(agentStats.errors);
  const result = { bare: comparableKinds(bareKinds, agentKinds), agent: comparableKinds(agentKinds, bareKinds), latencies };
  console.log(`errors seen: bare ${JSON.stringify(bareStats.errors)}; agent ${JSON.stringify(agentStats.errors)}; /metrics during the fault: ${latencies.length} scrapes, slowest ${Math.max(...latencies).toFixed(0)} ms`);
  return result;
}

/** A server that stops answering without closing anything, for FAULT_MS. */
async function frozen(signal: (which: 'SIGSTOP' | 'SIGCONT') => void): Promise<void> {
  signal('SIGSTOP');
  await sleep(FAULT_MS);
  signal('SIGCONT');
}

async function memory(): Promise<{ bare: Memory; agent: Memory }> {
  const [b, a] = await Promise.all([bare.ask<Memory>('mem'), agent.ask<Memory>('mem')]);
  return { bare: b, agent: a };
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

beforeAll(async () => {
  [redis, postgres, metricsPort] = await Promise.all([PrivateRedis.start(), PrivatePostgres.start(), freePort()]);
  bare = startApp('bare', false);
  agent = startApp('agent', true);
  await Promise.all([bare.waitForLine((line: { started?: boolean }) => line.started === true), agent.waitForLine((line: { started?: boolean }) => line.started === true)]);
  await recovered();
  // Warm up before the memory baseline: connections, JIT, the agent's first series.
  await sleep(2_000);
  baseline = await memory();
}, 90_000);

afterAll(async () => {
  await Promise.allSettled([bare?.stop(), agent?.stop()]);
  await Promise.allSettled([redis?.destroy(), postgres?.destroy()]);
}, 30_000);

describe('faults, bare app and app with the agent side by side', () => {
  it('Redis stopped and restarted under load', async () => {
    const before = await scrape();
    const seen = await injected(async () => {
      await redis.stop();
      await sleep(FAULT_MS);
      await redis.restart();
    });
    expect(seen.agent).toEqual(seen.bare);
    expect(seen.bare.length).toBeGreaterThan(0);
    const after = await scrape();
    for (const name of [METRICS.redisConnectionErrors.scraped, METRICS.redisReconnects.scraped]) {
      expect(total(after, name), name).toBeGreaterThan(total(before, name));
    }
    // The commands that failed, by the error type the app saw.
    expect(failedOperations(after, 'redis', 'MaxRetriesPerRequestError')).toBeGreaterThan(failedOperations(before, 'redis', 'MaxRetriesPerRequestError'));
  }, 60_000);

  it('Redis frozen (SIGSTOP) for two seconds, then resumed', async () => {
    const before = await scrape();
    const seen = await injected(() => frozen((which) => redis.signal(which)));
    expect(seen.agent).toEqual(seen.bare);
    expect(seen.bare.some((signature) => signature.includes('Command timed out'))).toBe(true);
    const after = await scrape();
    expect(failedOperations(after, 'redis')).toBeGreaterThan(failedOperations(before, 'redis'));
  }, 60_000);

  it('PostgreSQL backends of the app terminated under load (pg_terminate_backend by application_name)', async () => {
    const before = await scrape();
    const admin = new pg.Client({ connectionString: postgres.url, application_name: 'ql-fault-admin' });
    await admin.connect();
    try {
      const seen = await injected(async () => {
        const terminated = await admin.query('select count(*)::int as n from pg_stat_activity where application_name like $1 and pg_terminate_backend(pid)', [`${APP_PREFIX}-%`]);
        expect(terminated.rows[0].n).toBeGreaterThan(0);
        await sleep(FAULT_MS / 4);
      });
      expect(seen.agent).toEqual(seen.bare);
      expect(seen.bare).toContain('DatabaseError | 57P01');
    } finally {
      await admin.end();
    }
    const after = await scrape();
    expect(failedOperations(after, 'postgresql', '57P01')).toBeGreaterThan(failedOperations(before, 'postgresql', '57P01'));
  }, 60_000);

  it('PostgreSQL frozen (SIGSTOP): checkouts time out and are counted', async () => {
    const before = await scrape();
    const seen = await injected(() => frozen((which) => postgres.signalAll(which)));
    expect(seen.agent).toEqual(seen.bare);
    expect(seen.bare.some((signature) => signature.includes('timeout exceeded when trying to connect'))).toBe(true);
    const after = await scrape();
    expect(total(after, METRICS.dbConnectionTimeouts.scraped)).toBeGreaterThan(total(before, METRICS.dbConnectionTimeouts.scraped));
  }, 60_000);

  it('PostgreSQL restarted under load', async () => {
    const before = await scrape();
    const seen = await injected(() => postgres.restart());
    expect(seen.agent).toEqual(seen.bare);
    expect(seen.bare.length).toBeGreaterThan(0);
    const after = await scrape();
    expect(failedOperations(after, 'postgresql')).toBeGreaterThan(failedOperations(before, 'postgresql'));
  }, 60_000);

  it('memory returns to its level after the faults', async () => {
    const after = await memory();
    console.log(`heap after GC, before → after the faults: bare ${mb(baseline.bare.heapUsed)} → ${mb(after.bare.heapUsed)}, agent ${mb(baseline.agent.heapUsed)} → ${mb(after.agent.heapUsed)}; RSS bare ${mb(baseline.bare.rss)} → ${mb(after.bare.rss)}, agent ${mb(baseline.agent.rss)} → ${mb(after.agent.rss)}`);
    // The agent's heap grows by no more than the bare app's plus a margin of a quarter of its baseline.
    const agentGrowth = after.agent.heapUsed - baseline.agent.heapUsed;
    const bareGrowth = after.bare.heapUsed - baseline.bare.heapUsed;
    expect(agentGrowth).toBeLessThan(Math.max(bareGrowth, 0) + baseline.agent.heapUsed / 4);
    const [bareEnd, agentEnd] = await Promise.all([bare.ask<Stats>('stop'), agent.ask<Stats>('stop')]);
    expect(bareEnd.unhandled).toEqual([]);
    expect(agentEnd.unhandled).toEqual([]);
    expect(agent.stderr).toBe('');
  }, 60_000);
});
