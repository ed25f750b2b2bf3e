/**
 * Loading a package a file per start stage (agent/moduleSlices.ts) evaluates
 * its files in the order `require` of the package would, for every package
 * the agent loads that way; a package with a cycle is loaded whole. The
 * build's plans (dist/agent/stageModules.json) are that order, and are used
 * only for the version they were made for.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluationOrder, loadingSlices, packageRootOf, requireAhead, type PackagePlan } from '../../agent/moduleSlices';
import { STAGE_PACKAGES, stagePackageCopies } from '../../agent/stageModules';

const ROOT = join(__dirname, '..', '..');

/** Files of the package evaluated in a fresh process, after the packages it needs, loaded by require or by the slices. */
function evaluatedFiles(id: string, before: readonly string[], sliced: boolean): string[] {
  const script = `
    const Module = require('node:module');
    const { loadingSlices } = require('./dist/agent/moduleSlices.js');
    for (const other of ${JSON.stringify(before)}) require(other);
    const compile = Module.prototype._compile;
    const files = [];
    Module.prototype._compile = function (...args) { const result = compile.apply(this, args); files.push(this.filename); return result; };
    if (${sliced}) for (const stage of loadingSlices(${JSON.stringify(id)}, require)) stage();
    else require(${JSON.stringify(id)});
    process.stdout.write(JSON.stringify(files));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[];
}

describe('a package loaded a file per stage', () => {
  it.each([
    ['@opentelemetry/semantic-conventions', []],
    ['@opentelemetry/core', ['@opentelemetry/api', '@opentelemetry/semantic-conventions']],
    ['@opentelemetry/resources', ['@opentelemetry/api', '@opentelemetry/core']],
    ['@opentelemetry/sdk-metrics', ['@opentelemetry/api', '@opentelemetry/core', '@opentelemetry/resources']],
    ['@opentelemetry/exporter-prometheus', ['@opentelemetry/api', '@opentelemetry/core', '@opentelemetry/resources', '@opentelemetry/sdk-metrics']],
    ['@opentelemetry/instrumentation-runtime-node', ['@opentelemetry/api', '@opentelemetry/core']],
  ])('%s: the same files in the same order as require, in more than one stage', (id, before) => {
    const natural = evaluatedFiles(id, before, false);
    expect(natural.length).toBeGreaterThan(1);
    expect(evaluatedFiles(id, before, true)).toEqual(natural);
    expect(loadingSlices(id, require).length).toBeGreaterThan(1);
  });

  it('loads a package whose files require each other in a cycle whole, in one stage; follows top-level requires only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ql-slices-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cyclic', main: 'a.js' }));
    writeFileSync(join(dir, 'a.js'), "exports.a = 1; require('./b');\n");
    writeFileSync(join(dir, 'b.js'), "require('./a'); require('./c');\n");
    writeFileSync(join(dir, 'c.js'), 'exports.c = 1;\n');
    expect(evaluationOrder(join(dir, 'a.js'))).toBeUndefined();
    expect(loadingSlices(dir, require)).toHaveLength(1);
    writeFileSync(join(dir, 'b.js'), "require('./c');\nexports.later = function later() {\n  return require('./d');\n};\n");
    // d.js does not exist: a require in a function body is not followed (nor loaded early).
    expect(evaluationOrder(join(dir, 'a.js'))).toEqual([join(dir, 'c.js'), join(dir, 'b.js'), join(dir, 'a.js')]);
  });

  describe("the build's plans", () => {
    let built: { packages: Record<string, PackagePlan> };
    beforeAll(() => {
      built = JSON.parse(readFileSync(join(ROOT, 'dist', 'agent', 'stageModules.json'), 'utf8')) as typeof built;
    });

    it.each(STAGE_PACKAGES)('%s: planned, in the order its files would be read at run time', (id) => {
      const entry = require.resolve(id);
      const root = packageRootOf(entry, id)!;
      expect(built.packages[id]?.version).toBe((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
      expect(built.packages[id]?.files.map((file) => `${root}${file}`)).toEqual(evaluationOrder(entry));
    });

    it('a plan is followed for the version installed, and ignored for another', () => {
      const id = '@opentelemetry/core';
      const { version, files } = built.packages[id]!;
      // A plan of one file before the entry: two stages.
      const short = [files[0]!, files[files.length - 1]!];
      expect(loadingSlices(id, require, { version, files: short })).toHaveLength(2);
      const stale = loadingSlices(id, require, { version: `${version}-other`, files: short });
      expect(stale).toHaveLength(evaluationOrder(require.resolve(id))!.length);
    });

    it('a plan that does not end at the entry resolved is ignored; a planned file that is not there is skipped', () => {
      const id = '@opentelemetry/core';
      const { version, files } = built.packages[id]!;
      const elsewhere = loadingSlices(id, require, { version, files: files.slice(0, 1) });
      expect(elsewhere).toHaveLength(evaluationOrder(require.resolve(id))!.length);
      const missing = loadingSlices(id, require, { version, files: ['build/src/renamed.js', files[files.length - 1]!] });
      expect(missing).toHaveLength(2);
      for (const stage of missing) stage();
    });
  });

  describe('which copy', () => {
    /** A package folder under `dir`; its entry notes its version in `globalThis.qlCopiesLoaded` when evaluated. */
    function installed(dir: string, id: string, version: string): string {
      const folder = join(dir, 'node_modules', ...id.split('/'));
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: id, version, main: 'index.js' }));
      writeFileSync(join(folder, 'index.js'), `(globalThis.qlCopiesLoaded ??= []).push(${JSON.stringify(`${id}@${version}`)});\n`);
      return join(folder, 'index.js');
    }

    it("loads both copies of the API a file at a time, core's first, when the agent has one of its own; one where they are the same", () => {
      const dir = mkdtempSync(join(tmpdir(), 'ql-copies-'));
      installed(dir, '@opentelemetry/core', '3.0.0');
      const coresApi = installed(dir, '@opentelemetry/api', '1.10.0');
      const agentDir = join(dir, 'node_modules', 'querylens', 'dist', 'agent');
      const agentsApi = installed(join(dir, 'node_modules', 'querylens'), '@opentelemetry/api', '1.9.0');
      mkdirSync(agentDir, { recursive: true });
      const agentRequire = createRequire(join(agentDir, 'start.js'));
      const copies = stagePackageCopies('@opentelemetry/api', agentRequire);
      expect(copies.map((from) => from.resolve('@opentelemetry/api'))).toEqual([coresApi, agentsApi]);
      // As agent/start.ts runs them: each copy's slices, in turn.
      for (const stage of copies.flatMap((from) => loadingSlices('@opentelemetry/api', from))) stage();
      expect((globalThis as { qlCopiesLoaded?: string[] }).qlCopiesLoaded).toEqual(['@opentelemetry/api@1.10.0', '@opentelemetry/api@1.9.0']);
      // One copy, found from both: loaded once. A package nobody else requires, or whose requirer is not there: the agent's.
      const single = createRequire(join(dir, 'node_modules', '@opentelemetry', 'core', 'index.js'));
      expect(stagePackageCopies('@opentelemetry/api', single)).toEqual([single]);
      expect(stagePackageCopies('@opentelemetry/resources', agentRequire)).toEqual([agentRequire]);
      expect(stagePackageCopies('@opentelemetry/instrumentation', agentRequire)).toEqual([agentRequire]);
    });
  });

  describe('requireAhead', () => {
    it('skips a file that is not there, and throws the error of a file that is', () => {
      const dir = mkdtempSync(join(tmpdir(), 'ql-ahead-'));
      writeFileSync(join(dir, 'ok.js'), 'globalThis.qlAheadLoaded = true;\n');
      writeFileSync(join(dir, 'bad.js'), "throw new Error('bad file');\n");
      const from = createRequire(join(dir, 'index.js'));
      requireAhead(from, './renamed');
      requireAhead(from, './ok');
      expect((globalThis as { qlAheadLoaded?: boolean }).qlAheadLoaded).toBe(true);
      expect(() => requireAhead(from, './bad')).toThrow('bad file');
    });
  });
});
