/**
 * Supply chain, offline: every runtime dependency is documented with its
 * reason in docs/dependencies.md, every package of the production tree is
 * pinned by a sha512 integrity hash from the public registry, and install
 * scripts run only where the doc names them. (`npm audit` needs the network:
 * see docs/dependencies.md.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/agentProcess';

interface LockPackage {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
  readonly hasInstallScript?: boolean;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
const doc = readFileSync(join(ROOT, 'docs', 'dependencies.md'), 'utf8');

/** The production tree: every installed package that is not only for development. */
const production = Object.entries(lock.packages)
  .filter(([path, entry]) => path !== '' && entry.dev !== true && entry.devOptional !== true && entry.link !== true)
  .map(([path, entry]) => ({ name: path.replace(/^.*node_modules\//, ''), entry }));

function documentedRow(name: string): RegExpMatchArray | null {
  return doc.match(new RegExp(`^\\| \`${name.replace(/[/.-]/g, (c) => `\\${c}`)}\` \\| ([^|]+) \\| (.{20,}) \\|$`, 'm'));
}

describe('runtime dependencies', () => {
  it('documents every runtime dependency, with the version package.json asks for and a reason', () => {
    for (const [name, range] of Object.entries(manifest.dependencies)) {
      const row = documentedRow(name);
      expect(row, `docs/dependencies.md has no row for ${name}`).not.toBeNull();
      expect(row?.[1].trim(), name).toBe(range);
    }
  });

  it('pins the whole production tree by exact version and sha512 integrity, from the registry only', () => {
    expect(production.length).toBeGreaterThan(Object.keys(manifest.dependencies).length);
    for (const { name, entry } of production) {
      expect(entry.version, name).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
      expect(entry.integrity, name).toMatch(/^sha512-/);
      // The lock omits `resolved` for registry packages; a git, file or tarball URL would show here.
      if (entry.resolved !== undefined) expect(entry.resolved, name).toMatch(/^https:\/\/registry\.npmjs\.org\//);
    }
  });

  it('runs install scripts only in packages the doc names', () => {
    const withScripts = production.filter(({ entry }) => entry.hasInstallScript === true).map(({ name }) => name);
    for (const name of withScripts) expect(doc, `${name} runs an install script not named in docs/dependencies.md`).toContain(`**\`${name}\`**`);
  });
});
