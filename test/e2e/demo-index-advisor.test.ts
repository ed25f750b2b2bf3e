/**
 * The demo's lesson, as a new user meets it: the N+1 statement scans the
 * unindexed, never-analyzed ql_demo_orders. With HypoPG in the demo's own
 * database (created here), the agent gives a plan finding, the statistics
 * finding with the ANALYZE to run, and a verified index suggestion; its own
 * statements (EXPLAIN, the catalog reads, hypopg_*) appear in none of the
 * app's statistics, spans or pool metrics, and no real index is left behind.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuerylensReport } from '../../report/reportModel';
import { startDemo, type DemoProcess } from '../helpers/demoProcess';
import { OtlpReceiver } from '../helpers/otlpReceiver';
import { waitFor } from '../helpers/waitFor';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATABASE = `ql_demo_advisor_${randomBytes(4).toString('hex')}`;
const N_PLUS_ONE = 'SELECT id, total FROM ql_demo_orders WHERE customer_id = $1 ORDER BY total DESC LIMIT $2';
/** What only the agent sends: its EXPLAINs, catalog reads and hypothetical indexes. */
const AGENT_STATEMENT = /EXPLAIN|hypopg_create_index|hypopg_reset|pg_stat_user_tables|pg_stats|pg_index|statement_timeout|default_transaction_read_only/i;

function databaseUrl(): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${DATABASE}`;
  return url.href;
}

async function run(connectionString: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('the demo with the index advisor', () => {
  let demo: DemoProcess | undefined;
  const receiver = new OtlpReceiver();

  beforeAll(async () => {
    await receiver.start();
    await run(SERVER_URL, `CREATE DATABASE ${DATABASE}`);
    await run(databaseUrl(), 'CREATE EXTENSION hypopg');
  });

  afterAll(async () => {
    demo?.kill();
    await receiver.close();
    await run(SERVER_URL, `DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('suggests a verified index for the unindexed customer_id scan, with the plan and statistics findings', async () => {
    demo = await startDemo({
      DATABASE_URL: databaseUrl(), REDIS_URL: '', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
    });
    expect(demo.stdout()).toContain('HypoPG                   installed: index suggestions are verified with hypothetical indexes');
    const reportUrl = `http://127.0.0.1:${demo.agentPort}/querylens/api/report`;
    const report = await waitFor('a verified index suggestion for the N+1 statement', async () => {
      const current = (await (await fetch(reportUrl)).json()) as QuerylensReport;
      return current.indexSuggestions.some((suggestion) => suggestion.statements.some((statement) => statement.query === N_PLUS_ONE)) ? current : undefined;
    }, 60_000, 1000);

    const [suggestion] = report.indexSuggestions.filter((candidate) => candidate.statements.some((statement) => statement.query === N_PLUS_ONE));
    expect(suggestion.ddl).toBe('CREATE INDEX CONCURRENTLY ON ql_demo_orders (customer_id, total DESC);');
    expect(suggestion.verified).toBe(true);
    expect(suggestion.costAfter).toBeLessThan(suggestion.costBefore / 2);
    const rules = report.findings.filter((finding) => finding.example === N_PLUS_ONE).map((finding) => finding.rule);
    expect(rules).toEqual(expect.arrayContaining(['n-plus-one', 'plan-seq-scan-filter', 'plan-stale-statistics', 'missing-index']));
    const stale = report.findings.find((finding) => finding.rule === 'plan-stale-statistics' && finding.example === N_PLUS_ONE);
    expect(stale?.message).toContain('run ANALYZE ql_demo_orders;');

    // The agent's own statements: not in the statistics, not among the spans, not through the app's pools.
    expect(report.queries.top.filter((query) => AGENT_STATEMENT.test(query.query))).toEqual([]);
    await waitFor('the demo\'s pg spans', () => (receiver.spans().some((span) => span.attributes['db.system.name'] === 'postgresql') ? true : undefined), 30_000, 500);
    const agentSpans = receiver.spans().filter((span) => AGENT_STATEMENT.test(String(span.attributes['db.query.text'] ?? '')) || AGENT_STATEMENT.test(span.name));
    expect(agentSpans).toEqual([]);
    // Each backend's last statement: the agent's ran on its own connection only, none on the demo's pools'.
    const { rows: backends } = await run(databaseUrl(), `SELECT application_name, query FROM pg_stat_activity WHERE datname = '${DATABASE}' AND pid <> pg_backend_pid()`);
    const typed = backends as { application_name: string; query: string }[];
    expect(typed.filter((backend) => backend.application_name !== 'querylens-explain' && AGENT_STATEMENT.test(backend.query))).toEqual([]);
    // (The agent's own connection closes after 10 s without work, so it may be gone by now.)
    expect(typed.filter((backend) => backend.application_name === 'querylens-explain' && !AGENT_STATEMENT.test(backend.query))).toEqual([]);

    const { rows } = await run(databaseUrl(), "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'ql_demo_%' ORDER BY 1");
    expect(rows.map((row: { indexname: string }) => row.indexname)).toEqual(['ql_demo_customers_pkey', 'ql_demo_orders_pkey']);
    expect(await demo.interrupt()).toBe(0);
  }, 150_000);
});
