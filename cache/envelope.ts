/**
 * How the tiered cache stores an entry in Redis: a one-line JSON header
 * (kind, absolute expiry, tags) then the serialized value. The expiry lets an
 * instance that reads the entry keep it in memory only for what is left of
 * its TTL; the tags let it index the entry for tag invalidations.
 */
export interface Envelope {
  /** True for a cached "not found" (negative caching); the payload is empty. */
  readonly negative: boolean;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly tags: readonly string[];
  readonly payload: string;
}

const VALUE = 1;
const NEGATIVE = 0;

export function encodeEnvelope(envelope: Envelope): string {
  // JSON escapes newlines, so the first '\n' always ends the header.
  return `${JSON.stringify([envelope.negative ? NEGATIVE : VALUE, envelope.expiresAt, envelope.tags])}\n${envelope.payload}`;
}

/** Undefined for text that is not an envelope (written by something else, or corrupted). */
export function decodeEnvelope(text: string): Envelope | undefined {
  const newline = text.indexOf('\n');
  if (newline < 0) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(text.slice(0, newline));
  } catch {
    return undefined;
  }
  if (!Array.isArray(header) || header.length !== 3) return undefined;
  const [kind, expiresAt, tags] = header as unknown[];
  if ((kind !== VALUE && kind !== NEGATIVE) || typeof expiresAt !== 'number') return undefined;
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) return undefined;
  return { negative: kind === NEGATIVE, expiresAt, tags: tags as string[], payload: text.slice(newline + 1) };
}
