import { createServer, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { currentRequestKey, trackHttpRequests } from '../../instrumentations/http/requestContext';

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ port, path, host: '127.0.0.1' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject).end();
  });
}

describe('request context', () => {
  it('gives each HTTP request its own key, carried across awaits', async () => {
    trackHttpRequests();
    expect(currentRequestKey()).toBeUndefined();
    const server = createServer(async (_req, res) => {
      const first = currentRequestKey();
      await new Promise((resolve) => setTimeout(resolve, 10));
      const second = currentRequestKey();
      res.end(JSON.stringify({ first, second }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const [a, b] = (await Promise.all([get(port, '/a'), get(port, '/b')])).map((body) => JSON.parse(body) as { first?: string; second?: string });
      expect(a.first).toMatch(/^req-\d+$/);
      expect(a.second).toBe(a.first);
      expect(b.second).toBe(b.first);
      expect(a.first).not.toBe(b.first);
    } finally {
      server.close();
    }
  });
});
