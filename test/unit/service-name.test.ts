import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appPackageName, resolveServiceName } from '../../agent/serviceName';

const made: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ql-service-name-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterEach(() => {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('appPackageName', () => {
  it('finds the nearest package.json up from the working directory', () => {
    const root = tree({ 'package.json': '{"name":"outer"}', 'app/src/.keep': '' });
    expect(appPackageName(join(root, 'app', 'src'))).toBe('outer');
  });

  it('goes past a package.json that does not parse, and stops at one without a name', () => {
    const root = tree({ 'package.json': '{"name":"outer"}', 'a/package.json': '{not json', 'a/b/package.json': '{"private":true}', 'a/c/.keep': '' });
    expect(appPackageName(join(root, 'a', 'c'))).toBe('outer');
    expect(appPackageName(join(root, 'a', 'b'))).toBeUndefined();
  });

  it('gives way to a configured name', () => {
    const root = tree({ 'package.json': '{"name":"outer"}' });
    expect(resolveServiceName('configured', root)).toBe('configured');
    expect(resolveServiceName(undefined, root)).toBe('outer');
  });
});
