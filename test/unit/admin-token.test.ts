/** The admin actions' bearer token check and the report CLI's terminal-safe text. */
import { describe, expect, it } from 'vitest';
import { checkBearerToken } from '../../http/adminToken';
import { terminalSafe } from '../../agent/cli/formatReport';

describe('checkBearerToken', () => {
  const token = 's3cret-token';

  it('is disabled without a configured token, whatever is sent', () => {
    expect(checkBearerToken(undefined, `Bearer ${token}`)).toBe('disabled');
    expect(checkBearerToken(undefined, undefined)).toBe('disabled');
  });

  it('accepts exactly the configured token, scheme case-insensitive', () => {
    expect(checkBearerToken(token, `Bearer ${token}`)).toBe('ok');
    expect(checkBearerToken(token, `bearer ${token}`)).toBe('ok');
  });

  it('tells a missing token from a wrong one, at any length', () => {
    expect(checkBearerToken(token, undefined)).toBe('missing');
    expect(checkBearerToken(token, token)).toBe('missing');
    expect(checkBearerToken(token, `Basic ${token}`)).toBe('missing');
    expect(checkBearerToken(token, 'Bearer ')).toBe('missing');
    for (const wrong of [token.slice(0, -1), `${token}x`, token.toUpperCase(), 'x', 'y'.repeat(4096)]) {
      expect(checkBearerToken(token, `Bearer ${wrong}`)).toBe('wrong');
    }
  });
});

describe('terminalSafe', () => {
  it('shows control characters as \\xNN so a statement cannot drive the terminal', () => {
    expect(terminalSafe('SELECT 1 /* \u001b[2J\u0007 */')).toBe('SELECT 1 /* \\x1b[2J\\x07 */');
    expect(terminalSafe('a\nb\tc')).toBe('a b c');
  });
});
