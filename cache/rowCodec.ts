/**
 * How the query cache serializes rows: JSON that brings back what pg hands
 * the app beyond JSON's types, so a cached answer has the same value types
 * as a fresh one: `Date` (timestamp, date columns) and `Buffer` (bytea).
 */
import type { CacheSerializer } from './tieredCache';

const DATE = '$qlDate';
const BYTES = '$qlBytes';

function replace(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // JSON.stringify calls toJSON first: the original value is still on the holder.
  const original = this[key];
  if (original instanceof Date) return { [DATE]: Number.isNaN(original.getTime()) ? null : original.getTime() };
  if (Buffer.isBuffer(original)) return { [BYTES]: original.toString('base64') };
  return value;
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  if (DATE in record) return new Date(typeof record[DATE] === 'number' ? record[DATE] : Number.NaN);
  if (BYTES in record && typeof record[BYTES] === 'string') return Buffer.from(record[BYTES], 'base64');
  return value;
}

export function rowCodec<T>(): CacheSerializer<T> {
  return {
    serialize: (value) => JSON.stringify(value, replace),
    deserialize: (text) => JSON.parse(text, revive) as T,
  };
}
