/**
 * The admin actions' bearer token check. Both sides are hashed to SHA-256
 * first, so `timingSafeEqual` always compares 32 bytes: the time taken tells
 * a caller neither how much of the token matched nor how long it is.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type TokenCheck = 'disabled' | 'missing' | 'wrong' | 'ok';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** `configured`: QUERYLENS_ADMIN_TOKEN (undefined: actions disabled); `authorization`: the request header. */
export function checkBearerToken(configured: string | undefined, authorization: string | undefined): TokenCheck {
  if (configured === undefined) return 'disabled';
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization ?? '');
  if (match === null) return 'missing';
  return timingSafeEqual(digest(match[1]), digest(configured)) ? 'ok' : 'wrong';
}
