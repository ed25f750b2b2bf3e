/**
 * The status page fixture app (test/fixtures/apps/status-page-app.cjs) under
 * the agent, on free ports, with its own tables: shared by the status page,
 * admin action and report CLI tests.
 */
import { join } from 'node:path';
import type { QuerylensReport } from '../../report/reportModel';
import { APPS, REGISTER_CJS, freePort } from './agentProcess';
import { ChildApp } from './childApp';

export interface StatusPageApp {
  readonly app: ChildApp;
  /** `http://127.0.0.1:<agent port>` */
  readonly agentUrl: string;
  /** One round of the workload (GET /round on the app). */
  round(): Promise<void>;
  report(): Promise<QuerylensReport>;
  stop(): Promise<void>;
}

export async function startStatusPageApp(prefix: string, env: Readonly<Record<string, string | undefined>> = {}): Promise<StatusPageApp> {
  const agentPort = await freePort();
  const app = new ChildApp(join(APPS, 'status-page-app.cjs'), {
    nodeArgs: ['--require', REGISTER_CJS],
    env: {
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(agentPort),
      QL_PAGE_PREFIX: prefix,
      // The fixture's scan takes tens of milliseconds: a low threshold makes it slow, and EXPLAINed.
      QUERYLENS_SLOW_QUERY_MS: '30',
      ...env,
    },
  });
  const { port } = await app.waitForLine<{ port?: number }>((line) => typeof line.port === 'number', 30_000);
  const agentUrl = `http://127.0.0.1:${agentPort}`;
  return {
    app,
    agentUrl,
    round: async () => {
      const response = await fetch(`http://127.0.0.1:${port}/round`);
      if (response.status !== 200) throw new Error(`round failed: ${response.status} ${await response.text()}`);
    },
    report: async () => (await (await fetch(`${agentUrl}/querylens/api/report`)).json()) as QuerylensReport,
    stop: () => app.stop(),
  };
}
