/**
 * The pure parts of the caches: the Redis envelope, TTL jitter, invalidation
 * messages, bounded labels, and default cache names from call sites.
 */
import { describe, expect, it } from 'vitest';
import { BoundedLabels, OVERFLOW_LABEL } from '../../instrumentations/cacheTelemetry/boundedLabels';
import { decodeEnvelope, encodeEnvelope, type Envelope } from '../../cache/envelope';
import { decodeInvalidation, encodeInvalidation } from '../../cache/invalidationBus';
import { jitteredTtl } from '../../cache/ttlJitter';
import { UNKNOWN_CALL_SITE, nameFromStack } from '../../instrumentations/lru-cache/callSiteName';

describe('envelope', () => {
  it('round-trips values, negative entries and payloads with newlines', () => {
    const envelopes: Envelope[] = [
      { negative: false, expiresAt: 1_700_000_000_000, tags: ['team:1', 'a\nb'], payload: '{"x":"line1\\nline2"}\nraw' },
      { negative: true, expiresAt: 5, tags: [], payload: '' },
    ];
    for (const envelope of envelopes) expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
  });

  it.each(['plain value', '{"not":"a header"}\n1', '[2,1,[]]\nx', '[1,"soon",[]]\nx', '[1,1,[3]]\nx', '[1,1\nx'])(
    'rejects %j', (text) => {
      expect(decodeEnvelope(text)).toBeUndefined();
    });
});

describe('jitteredTtl', () => {
  it('only shortens, by at most the jitter fraction', () => {
    expect(jitteredTtl(1000, 0.1, () => 0)).toBe(1000);
    expect(jitteredTtl(1000, 0.1, () => 1)).toBe(900);
    expect(jitteredTtl(1000, 0, () => 1)).toBe(1000);
    expect(jitteredTtl(1, 1, () => 1)).toBe(1);
  });
});

describe('invalidation messages', () => {
  it('reach other instances and are ignored by the sender', () => {
    const text = encodeInvalidation('instance-a', { keys: ['k1', 'k2'] });
    expect(decodeInvalidation(text, 'instance-b')).toEqual({ keys: ['k1', 'k2'], tag: undefined });
    expect(decodeInvalidation(text, 'instance-a')).toBeUndefined();
    expect(decodeInvalidation(encodeInvalidation('a', { tag: 't' }), 'b')).toEqual({ keys: undefined, tag: 't' });
  });

  it.each(['not json', '{"o":"a"}', '{"o":1,"t":"x"}', '{"o":"a","k":[1]}', 'null'])('drops malformed %j', (text) => {
    expect(decodeInvalidation(text, 'b')).toBeUndefined();
  });
});

describe('BoundedLabels', () => {
  it('keeps the first values up to the cap, then answers other', () => {
    const labels = new BoundedLabels(2);
    expect(labels.resolve('a')).toBe('a');
    expect(labels.resolve('b')).toBe('b');
    expect(labels.resolve('c')).toBe(OVERFLOW_LABEL);
    expect(labels.resolve('a')).toBe('a');
  });
});

describe('nameFromStack', () => {
  const cwd = '/srv/app';
  it.each([
    ['    at Object.<anonymous> (/srv/app/src/sessions.js:12:17)', 'src/sessions.js:12'],
    ['    at /srv/app/lib/cache.js:3:9', 'lib/cache.js:3'],
    ['    at file:///srv/app/src/esm.mjs:7:1', 'src/esm.mjs:7'],
    ['    at new Sessions (/opt/other/place/sessions.js:40:5)', 'place/sessions.js:40'],
    ['    at node:internal/main:1:1', UNKNOWN_CALL_SITE],
  ])('%s -> %s', (frame, name) => {
    expect(nameFromStack(`Error\n${frame}`, cwd)).toBe(name);
  });
});
