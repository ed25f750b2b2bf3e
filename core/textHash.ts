/** The grouping key of a statement the parser did not fingerprint: a hash of its exact text. */
import { createHash } from 'node:crypto';

export function textFingerprint(text: string): string {
  return `h:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
