/**
 * pg's statement hook, the statement cache and the runtime recorder together,
 * on a real PostgreSQL, in a process whose SQL parser has not loaded yet: a
 * statement that finishes before the parser is ready is counted in the
 * per-statement statistics, with its fingerprint, once it is.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import { DB_OPERATION_DURATION, DB_RETURNED_ROWS } from '../../core/metrics/databaseHistograms';
import { addQueryObserver } from '../../core/queryEvents';
import { createQueryRecorder } from '../../recording/queryRecorder';
import { isSqlParserReady, loadSqlParser } from '../../sql/parse/parser';
import { StatementCache } from '../../recording/statementCache';
import { createQueryPatch } from '../../instrumentations/pg/queryPatch';
import { CacheMetricsReader } from '../helpers/cacheMetrics';
import { waitFor } from '../helpers/waitFor';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TEXT = 'SELECT count(*) FROM pg_class WHERE relkind = $1';
const config = readConfig({}, (line) => { throw new Error(line); });
const cache = new StatementCache({ maxSqlLength: config.maxSqlLength, disabledRules: new Set(), source: 'runtime' });
const recorder = createQueryRecorder(config, new CacheMetricsReader().meter);
const originalQuery = pg.Client.prototype.query;
let client: pg.Client;

beforeAll(async () => {
  addQueryObserver(recorder);
  pg.Client.prototype.query = createQueryPatch(originalQuery as Parameters<typeof createQueryPatch>[0], {
    analyzer: () => cache,
    instruments: () => ({ duration: DB_OPERATION_DURATION, returnedRows: DB_RETURNED_ROWS }),
    isAgentQuery: () => false,
    requestScope: () => undefined,
    callSites: { sample: () => false, capture: () => undefined },
    transactions: () => undefined,
  }) as typeof originalQuery;
  client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  pg.Client.prototype.query = originalQuery;
});

describe('a statement that finished before the SQL parser was ready', () => {
  it('is in the per-statement statistics with its fingerprint, operation and collection once the parser is ready', async () => {
    expect(isSqlParserReady()).toBe(false);
    await client.query(TEXT, ['r']);
    expect(cache.counts().notReady).toBeGreaterThan(0);
    expect(recorder.topQueries()).toEqual([]);

    await loadSqlParser();
    const [stats] = await waitFor('the statement in the statistics', () => (recorder.topQueries().length > 0 ? recorder.topQueries() : undefined), 10_000);
    const analysis = cache.analyze(TEXT);
    expect(stats).toMatchObject({
      fingerprint: analysis?.fingerprint,
      normalized: TEXT,
      operation: 'SELECT',
      collection: 'pg_class',
      calls: 1,
      rows: 1,
      errors: 0,
    });
    expect(stats.maxMs).toBeGreaterThan(0);
  });
});
