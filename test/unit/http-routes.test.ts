/** Route names: the normalized path of a request without a template, Express' template, and the bound on distinct routes. */
import { describe, expect, it } from 'vitest';
import { MAX_SEGMENTS, normalizeRoutePath } from '../../instrumentations/http/routePath';
import { expressTemplate } from '../../instrumentations/http/routeTemplate';

describe('normalizeRoutePath', () => {
  it('replaces ids, UUIDs, hashes and tokens, and drops the query string', () => {
    expect(normalizeRoutePath('/customers/42/orders?page=2&token=s3cr3t')).toBe('/customers/:id/orders');
    expect(normalizeRoutePath('/files/3f2c1a9e-77b1-4c1e-9a52-0f4c2a8d9b10/download')).toBe('/files/:uuid/download');
    expect(normalizeRoutePath('/commits/9fceb02d0ae598e95dc970b74767f19372d61af8')).toBe('/commits/:hash');
    expect(normalizeRoutePath('/reset/eyJhbGciOiJIUzI1NiJ9abc123')).toBe('/reset/:hash');
    expect(normalizeRoutePath('/health#top')).toBe('/health');
  });

  it('keeps words, the root and a trailing slash', () => {
    expect(normalizeRoutePath('/')).toBe('/');
    expect(normalizeRoutePath('/reports/slow/')).toBe('/reports/slow/');
    expect(normalizeRoutePath('/api/v2/users')).toBe('/api/v2/users');
  });

  it('cuts paths past the segment limit', () => {
    const deep = `/${Array.from({ length: MAX_SEGMENTS + 4 }, (_, index) => `s${String.fromCharCode(97 + index)}`).join('/')}`;
    const normalized = normalizeRoutePath(deep);
    expect(normalized.split('/').length).toBe(MAX_SEGMENTS + 2);
    expect(normalized.endsWith('/…')).toBe(true);
  });
});

describe('expressTemplate', () => {
  it('joins the router\'s mount path and the route\'s path', () => {
    expect(expressTemplate({ baseUrl: '/customers', route: { path: '/:id/orders' } })).toBe('/customers/:id/orders');
    expect(expressTemplate({ baseUrl: '', route: { path: '/reports/slow' } })).toBe('/reports/slow');
    expect(expressTemplate({ baseUrl: '/customers', route: { path: '/' } })).toBe('/customers');
  });

  it('has none before routing or for a regular-expression route', () => {
    expect(expressTemplate({ url: '/customers/1' })).toBeUndefined();
    expect(expressTemplate({ route: { path: /^\/x/ } })).toBeUndefined();
  });
});

describe('routeLabel', () => {
  it('bounds distinct routes, puts the rest in other, and names unknown methods _OTHER', async () => {
    const { MAX_ROUTES, OTHER_ROUTE, routeLabel } = await import('../../instrumentations/http/routeLabels');
    expect(routeLabel('GET', '/a')).toBe('GET /a');
    expect(routeLabel('BREW', '/a')).toBe('_OTHER /a');
    for (let index = 0; index < MAX_ROUTES; index += 1) routeLabel('GET', `/route-${index}`);
    expect(routeLabel('GET', '/one-too-many')).toBe(OTHER_ROUTE);
    expect(routeLabel('GET', '/a')).toBe('GET /a');
  });
});
