/**
 * The index advisor on the real PostgreSQL, in two databases of its own: one
 * with HypoPG (created here) and one without. A skewed 120k-row table gets
 * statements that need a one-column, a two-column and a partial index, one
 * an existing index serves, one on a small table, one on a never-analyzed
 * table. Each suggested statement is run on a scratch copy of its table to
 * prove it is valid and used; the app's tables end with the indexes they had.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import { agentErrorCount, agentErrorSummaries } from '../../core/agentErrors';
import type { QueryEvent } from '../../core/queryEvents';
import { createQueryRecorder, type QueryRecorder } from '../../recording/queryRecorder';
import { buildReport } from '../../report/buildReport';
import type { QuerylensReport, ReportIndexSuggestion } from '../../report/reportModel';
import { loadSqlParser } from '../../sql/parse/parser';
import { planNodes, readPlan } from '../../sql/plan/planNode';
import { StatementCache } from '../../recording/statementCache';
import { createExplainRunner, type ExplainRunner } from '../../agentQueries/explainRunner';
import { DEFAULT_INDEX_ADVISOR, type IndexAdvisorMode } from '../../agentQueries/indexAdvisor';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

const BASE_URL = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const PREFIX = `ql_advisor_${process.pid}`;
const ROWS = 120_000;

const STATEMENTS = {
  oneColumn: 'SELECT id, total FROM qla_orders WHERE customer_id = $1',
  twoColumns: 'SELECT id FROM qla_orders WHERE region = $1 AND day = $2',
  partial: 'SELECT id, total FROM qla_orders WHERE shipped_at IS NULL AND region = $1',
  served: 'SELECT id, total FROM qla_orders WHERE code = $1',
  small: 'SELECT id FROM qla_small WHERE code = $1',
  neverAnalyzed: 'SELECT id FROM qla_fresh WHERE customer_id = $1',
  // small_code is the subquery's column, not qla_orders': the parse tree alone would put it on qla_orders.
  joinedSubquery: 'SELECT o.id FROM qla_orders o JOIN (SELECT id, code AS small_code FROM qla_small) s ON s.id = o.region WHERE o.customer_id = $1 AND small_code = $2',
} as const;

const VALUES: Readonly<Record<keyof typeof STATEMENTS, unknown[]>> = {
  oneColumn: [17], twoColumns: [3, 42], partial: [7], served: ['c-77'], small: ['s-5'], neverAnalyzed: [99], joinedSubquery: [17, 's-5'],
};

// Skewed like real orders: a few customers place most of them (cubed uniform), 2% still pending (not shipped).
const SETUP = [
  `CREATE TABLE qla_orders (id int PRIMARY KEY, customer_id int NOT NULL, region int NOT NULL, day int NOT NULL,
     code text NOT NULL, total numeric NOT NULL, shipped_at timestamptz)`,
  `INSERT INTO qla_orders SELECT g, (random() ^ 3 * 20000)::int, g % 50, (g / 7) % 100, 'c-' || g, (g % 500) + 0.99,
     CASE WHEN g % 50 = 0 THEN NULL ELSE now() - g * interval '1 minute' END FROM generate_series(1, ${ROWS}) g`,
  'CREATE INDEX qla_orders_code ON qla_orders (code)',
  // The INSERT's counts reach the statistics before ANALYZE resets them, not after (pending stats flush lazily).
  'SELECT pg_stat_force_next_flush()',
  'ANALYZE qla_orders',
  'CREATE TABLE qla_small (id int PRIMARY KEY, code text NOT NULL)',
  `INSERT INTO qla_small SELECT g, 's-' || g FROM generate_series(1, 500) g`,
  'SELECT pg_stat_force_next_flush()',
  'ANALYZE qla_small',
  // Never analyzed: the server's autovacuum must not analyze it behind the test's back either.
  'CREATE TABLE qla_fresh (id int PRIMARY KEY, customer_id int NOT NULL) WITH (autovacuum_enabled = false)',
  `INSERT INTO qla_fresh SELECT g, g % 5000 FROM generate_series(1, ${ROWS}) g`,
];

interface Database {
  readonly name: string;
  readonly url: string;
  readonly admin: pg.Client;
}

async function createDatabase(suffix: string, hypopg: boolean): Promise<Database> {
  const name = `${PREFIX}_${suffix}`;
  const root = new pg.Client({ connectionString: BASE_URL.href });
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS ${name}`);
  await root.query(`CREATE DATABASE ${name}`);
  await root.end();
  const url = new URL(BASE_URL.href);
  url.pathname = `/${name}`;
  const admin = new pg.Client({ connectionString: url.href });
  await admin.connect();
  if (hypopg) await admin.query('CREATE EXTENSION hypopg');
  for (const statement of SETUP) await admin.query(statement);
  // n_live_tup reaches the statistics views when the writing backend reports, at transaction end.
  await admin.query('SELECT pg_stat_force_next_flush()');
  return { name, url: url.href, admin };
}

async function dropDatabase(database: Database | undefined): Promise<void> {
  if (database === undefined) return;
  await database.admin.end();
  const root = new pg.Client({ connectionString: BASE_URL.href });
  await root.connect();
  await root.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
  await root.end();
}

/** Index names per table, as the catalog has them. */
async function indexesOf(admin: pg.Client): Promise<string[]> {
  const { rows } = await admin.query<{ name: string }>(`SELECT tablename || '.' || indexname AS name FROM pg_indexes WHERE tablename LIKE 'qla\\_%' ORDER BY 1`);
  return rows.map((row) => row.name);
}

interface Advised {
  readonly report: QuerylensReport;
  readonly recorder: QueryRecorder;
}

/** Each statement once through the recorder, as the pg hook hands it over (slow, so it is explained). */
async function advise(database: Database, mode: IndexAdvisorMode): Promise<Advised> {
  const config = readConfig({ QUERYLENS_SLOW_QUERY_MS: '1' }, (line) => { throw new Error(line); });
  const cache = new StatementCache({ maxSqlLength: config.maxSqlLength, disabledRules: new Set(), source: 'runtime' });
  const metrics = new CacheMetricsReader();
  const runner: ExplainRunner = createExplainRunner({
    intervalMs: config.explainIntervalMs,
    timeoutMs: 5000,
    connectionConfigFor: () => ({ connectionString: database.url }),
    advisor: { ...DEFAULT_INDEX_ADVISOR, mode },
  });
  const recorder = createQueryRecorder(config, metrics.meter, { planRequester: runner });
  const url = new URL(database.url);
  const server = { address: url.hostname, port: Number(url.port || 5432), database: database.name };
  try {
    for (const [key, text] of Object.entries(STATEMENTS) as [keyof typeof STATEMENTS, string][]) {
      const analysis = cache.analyze(text);
      if (analysis === undefined) throw new Error('parser not loaded');
      const event: QueryEvent = {
        analysis, text, values: VALUES[key], rows: 1, errorCode: undefined, contextKey: undefined, server,
        durationSeconds: 0.02, traceId: undefined, endedAt: Date.now(),
      };
      recorder.onQuery(event);
    }
    await recorder.settled();
    const report = buildReport({ serviceName: 'advisor-test', agentVersion: 'test', startedAt: Date.now() - 60_000, now: Date.now(), config, recorder });
    return { report, recorder };
  } finally {
    await runner.close();
    await metrics.shutdown();
  }
}

function suggestionFor(report: QuerylensReport, text: string): ReportIndexSuggestion | undefined {
  return report.indexSuggestions.find((suggestion) => suggestion.statements.some((statement) => statement.query === text));
}

/** Runs the suggested DDL on a copy of the table and returns the index names the statement's plan then uses. */
async function indexesUsedOnCopy(admin: pg.Client, table: string, ddl: string, text: string, values: unknown[]): Promise<string[]> {
  const copy = `${table}_copy`;
  await admin.query(`DROP TABLE IF EXISTS ${copy}`);
  await admin.query(`CREATE TABLE ${copy} AS SELECT * FROM ${table}`);
  try {
    await admin.query(ddl.replace(` ON ${table} (`, ` ON ${copy} (`));
    await admin.query(`ANALYZE ${copy}`);
    const { rows } = await admin.query(`EXPLAIN (FORMAT JSON) ${text.replace(` FROM ${table} `, ` FROM ${copy} `)}`, values);
    const tree = readPlan(rows[0]['QUERY PLAN']);
    return tree === undefined ? [] : planNodes(tree.root).flatMap((node) => (node.indexName === undefined ? [] : [node.indexName]));
  } finally {
    await admin.query(`DROP TABLE IF EXISTS ${copy}`);
  }
}

let withHypopg: Database | undefined;
let without: Database | undefined;
let indexesBefore: string[] = [];

beforeAll(async () => {
  await loadSqlParser();
  withHypopg = await createDatabase('hypopg', true);
  without = await createDatabase('plain', false);
  indexesBefore = await indexesOf(withHypopg.admin);
}, 120_000);

afterAll(async () => {
  await dropDatabase(withHypopg);
  await dropDatabase(without);
});

describe('index advisor with HypoPG', () => {
  let advised: Advised;
  beforeAll(async () => {
    advised = await advise(withHypopg!, 'auto');
  }, 120_000);

  it.each([
    ['oneColumn', 'CREATE INDEX CONCURRENTLY ON qla_orders (customer_id);'],
    ['twoColumns', 'CREATE INDEX CONCURRENTLY ON qla_orders (region, day);'],
    ['partial', 'CREATE INDEX CONCURRENTLY ON qla_orders (region) WHERE shipped_at IS NULL;'],
    ['neverAnalyzed', 'CREATE INDEX CONCURRENTLY ON qla_fresh (customer_id);'],
  ] as const)('suggests a verified index for the %s statement, which the planner uses once created', async (key, ddl) => {
    const suggestion = suggestionFor(advised.report, STATEMENTS[key]);
    expect(suggestion?.ddl).toBe(ddl);
    expect(suggestion?.verified).toBe(true);
    const statement = suggestion!.statements.find((candidate) => candidate.query === STATEMENTS[key])!;
    expect(statement.costAfter).toBeLessThanOrEqual(statement.costBefore / 2);
    const finding = advised.report.findings.find((candidate) => candidate.rule === 'missing-index' && candidate.example === STATEMENTS[key]);
    expect(finding?.message).toContain(ddl);
    expect(finding?.message).toContain('verified with a HypoPG hypothetical index');
    const used = await indexesUsedOnCopy(withHypopg!.admin, suggestion!.table, ddl, STATEMENTS[key], VALUES[key]);
    expect(used.length).toBeGreaterThan(0);
  });

  it('suggests nothing where an index already serves the statement or the table is small', () => {
    expect(suggestionFor(advised.report, STATEMENTS.served)).toBeUndefined();
    expect(suggestionFor(advised.report, STATEMENTS.small)).toBeUndefined();
    // Both were explained: the advisor looked and found nothing to suggest.
    expect(advised.recorder.explainOutcomes().ok).toBe(Object.keys(STATEMENTS).length);
  });

  it('flags the never-analyzed table with the ANALYZE to run, and still its sequential scan', () => {
    const rules = advised.report.findings.filter((finding) => finding.example === STATEMENTS.neverAnalyzed).map((finding) => finding.rule);
    expect(rules).toEqual(expect.arrayContaining(['plan-stale-statistics', 'plan-seq-scan-filter', 'missing-index']));
    const stale = advised.report.findings.find((finding) => finding.rule === 'plan-stale-statistics');
    expect(stale?.message).toContain('"qla_fresh" has never been analyzed');
    expect(stale?.message).toContain('run ANALYZE qla_fresh;');
    expect(advised.report.findings.filter((finding) => finding.rule === 'plan-stale-statistics').map((finding) => finding.example)).toEqual([STATEMENTS.neverAnalyzed]);
  });

  it('leaves no real index behind on the app\'s tables', async () => {
    expect(await indexesOf(withHypopg!.admin)).toEqual(indexesBefore);
  });
});

describe('index advisor with HypoPG, when hypopg_reset() fails', () => {
  // A real failure: a role that may create hypothetical indexes but not reset them.
  const role = `${PREFIX}_noreset`;

  beforeAll(async () => {
    const admin = withHypopg!.admin;
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    await admin.query('REVOKE EXECUTE ON FUNCTION hypopg_reset() FROM PUBLIC');
  });

  afterAll(async () => {
    const admin = withHypopg!.admin;
    await admin.query('GRANT EXECUTE ON FUNCTION hypopg_reset() TO PUBLIC');
    await admin.query(`DROP OWNED BY ${role}`);
    await admin.query(`DROP ROLE ${role}`);
  });

  it('reports the failure as an explain agent error and suggests nothing for the statement, without throwing', async () => {
    const before = agentErrorCount('explain');
    const url = new URL(withHypopg!.url);
    url.username = role;
    const { report, recorder } = await advise({ ...withHypopg!, url: url.href }, 'auto');
    expect(agentErrorCount('explain')).toBeGreaterThan(before);
    expect(agentErrorSummaries().find((summary) => summary.component === 'explain')?.lastMessage).toContain('hypopg_reset');
    expect(suggestionFor(report, STATEMENTS.oneColumn)).toBeUndefined();
    // The plans themselves were read: only the advice was given up.
    expect(recorder.explainOutcomes().ok).toBe(Object.keys(STATEMENTS).length);
  }, 120_000);
});

describe('index advisor without HypoPG', () => {
  let advised: Advised;
  beforeAll(async () => {
    advised = await advise(without!, 'auto');
  }, 120_000);

  it('estimates from pg_stats and says the suggestion is unverified', () => {
    const suggestion = suggestionFor(advised.report, STATEMENTS.oneColumn);
    expect(suggestion?.ddl).toBe('CREATE INDEX CONCURRENTLY ON qla_orders (customer_id);');
    expect(suggestion?.verified).toBe(false);
    expect(suggestion!.costAfter).toBeLessThanOrEqual(suggestion!.costBefore / 2);
    const finding = advised.report.findings.find((candidate) => candidate.rule === 'missing-index' && candidate.example === STATEMENTS.oneColumn);
    expect(finding?.message).toContain('unverified');
    expect(suggestionFor(advised.report, STATEMENTS.small)).toBeUndefined();
    expect(suggestionFor(advised.report, STATEMENTS.served)).toBeUndefined();
  });

  it('suggests no index on a joined subquery\'s column: the table lacks it', () => {
    expect(suggestionFor(advised.report, STATEMENTS.joinedSubquery)?.ddl).toBe('CREATE INDEX CONCURRENTLY ON qla_orders (customer_id);');
  });

  it('in hypopg mode, suggests nothing it cannot verify', async () => {
    const strict = await advise(without!, 'hypopg');
    expect(strict.report.indexSuggestions).toEqual([]);
    expect(strict.report.findings.some((finding) => finding.rule === 'missing-index')).toBe(false);
    // The plan findings stay: the advisor is not what makes plans speak.
    expect(strict.report.findings.some((finding) => finding.rule === 'plan-seq-scan-filter')).toBe(true);
  }, 120_000);

  it('leaves no real index behind', async () => {
    expect(await indexesOf(without!.admin)).toEqual(indexesBefore);
  });
});
