/** An HTTP server on loopback that records what Alertmanager's webhook receivers post. */
import { createServer, type Server } from 'node:http';

/** Alertmanager webhook payload, version 4 (the fields the tests read). */
export interface WebhookPayload {
  readonly version: string;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly alerts: readonly { status: string; labels: Readonly<Record<string, string>>; annotations: Readonly<Record<string, string>> }[];
}

export interface Delivery { readonly path: string; readonly payload: WebhookPayload }

export interface WebhookSink {
  readonly port: number;
  readonly deliveries: Delivery[];
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      deliveries.push({ path: req.url ?? '', payload: JSON.parse(body) as WebhookPayload });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    deliveries,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
