/** `querylens report --url`: the addresses people paste, and the garbage refused with a usage error. */
import { describe, expect, it } from 'vitest';
import { agentBaseUrl, reportUrl } from '../../agent/cli/agentUrl';
import { UsageError } from '../../agent/cli/command';

function readsFrom(input: string): string {
  return reportUrl(agentBaseUrl(input));
}

describe('querylens report --url', () => {
  it.each([
    ['localhost:19601', 'http://localhost:19601/querylens/api/report'],
    ['127.0.0.1:9464', 'http://127.0.0.1:9464/querylens/api/report'],
    ['  127.0.0.1:9464/ ', 'http://127.0.0.1:9464/querylens/api/report'],
    ['[::1]:9464', 'http://[::1]:9464/querylens/api/report'],
    ['http://127.0.0.1:9464', 'http://127.0.0.1:9464/querylens/api/report'],
    ['https://agent.internal', 'https://agent.internal/querylens/api/report'],
  ])('reads %j from %s (no scheme means http)', (input, expected) => {
    expect(readsFrom(input)).toBe(expected);
  });

  it.each([
    'http://host:9464/querylens',
    'http://host:9464/querylens/',
    'http://host:9464/querylens?sort=calls&refresh=5',
    'http://host:9464/querylens/api/report',
    'http://host:9464/querylens/api/report/',
    'host:9464/querylens/api/report#top',
    'http://host:9464/metrics',
    'http://host:9464/healthz',
  ])('takes a pasted agent page, %s, as the agent that serves it', (input) => {
    expect(readsFrom(input)).toBe('http://host:9464/querylens/api/report');
  });

  it('keeps a path in front of the agent routes (an agent behind a proxy prefix)', () => {
    expect(readsFrom('https://ops.example/agents/orders')).toBe('https://ops.example/agents/orders/querylens/api/report');
    expect(readsFrom('https://ops.example/agents/orders/querylens/')).toBe('https://ops.example/agents/orders/querylens/api/report');
  });

  it.each([
    ['not a url', 'is not a URL'],
    ['', 'is not a URL'],
    ['http://', 'is not a URL'],
    [':9464', 'is not a URL'],
    ['9464', 'has no host'],
    ['ftp://host:9464', 'must be http:// or https://, not ftp:'],
    ['file:///etc/passwd', 'must be http:// or https://, not file:'],
  ])('refuses %j with a usage error', (input, message) => {
    expect(() => agentBaseUrl(input)).toThrow(UsageError);
    expect(() => agentBaseUrl(input)).toThrow(message);
  });
});
