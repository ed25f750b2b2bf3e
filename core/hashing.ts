/**
 * Non-cryptographic hashes for runtime samples: the detectors keep hashes of
 * statement texts and parameter sets, never the texts or values themselves,
 * so nothing literal is retained beyond the call that carried it.
 */

/** cyrb53: a fast 53-bit string hash, as 14 hex digits. Collisions only blur an estimate. */
export function hashString(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // The 53-bit value (2097151 & h2) * 2^32 + (h1 >>> 0) in hex, written in
  // parts that fit a small integer: radix conversion of a larger number takes
  // V8's slow path (thousands of instructions, on the app's call path).
  return (2097151 & h2).toString(16).padStart(6, '0')
    + (h1 >>> 16).toString(16).padStart(4, '0')
    + (h1 & 0xffff).toString(16).padStart(4, '0');
}

/** Parameter sets larger than this are not hashed: hashing must stay cheap on the app's call path. */
export const MAX_HASHED_VALUES_LENGTH = 4096;

function encodeValue(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'z';
  switch (typeof value) {
    case 'string': return `s${value.length}:${value}`;
    case 'number': return `n${value}`;
    case 'bigint': return `i${value}`;
    case 'boolean': return value ? 't' : 'f';
    default: break;
  }
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof Uint8Array) {
    if (value.length * 2 > MAX_HASHED_VALUES_LENGTH) return undefined;
    return `b${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  }
  try {
    const json = JSON.stringify(value);
    return json === undefined ? undefined : `j${json}`;
  } catch {
    return undefined; // circular or throwing toJSON: not hashable, so not sampled
  }
}

/**
 * A parameter set as one string that tells values of different types apart
 * (`1` from `'1'`), or undefined when it is longer than `maxLength` or not
 * serialisable.
 */
export function encodeValues(prefix: string, values: readonly unknown[] | undefined, maxLength = MAX_HASHED_VALUES_LENGTH): string | undefined {
  let encoded = prefix;
  for (const value of values ?? []) {
    const part = encodeValue(value);
    if (part === undefined) return undefined;
    encoded += `\u0000${part}`;
    if (encoded.length > maxLength) return undefined;
  }
  return encoded;
}

/**
 * Hash of a parameter set (with a caller-supplied prefix such as the text
 * hash), or undefined when the set is too large or not serialisable.
 */
export function hashValues(prefix: string, values: readonly unknown[] | undefined): string | undefined {
  const encoded = encodeValues(prefix, values);
  return encoded === undefined ? undefined : hashString(encoded);
}
