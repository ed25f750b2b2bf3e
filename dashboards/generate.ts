/**
 * `npm run dashboards [-- --job NAME] [--runbook-url URL] [--for DURATION] [--out DIR]`:
 * writes the Grafana dashboards, the Prometheus rules and their promtool tests.
 * Defaults reproduce the committed files; `--for` shortens every alert's `for:` (for
 * end-to-end runs) and makes the promtool tests meaningless, so it needs `--out`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateArtifacts } from './artifacts';
import { DEFAULT_OPTIONS } from './ruleArtifacts';

const { values } = parseArgs({
  options: {
    job: { type: 'string', default: DEFAULT_OPTIONS.job },
    'runbook-url': { type: 'string', default: DEFAULT_OPTIONS.runbookUrl },
    for: { type: 'string' },
    out: { type: 'string' },
  },
});

if (values.for !== undefined && values.out === undefined) {
  console.error('--for changes every alert\'s duration and breaks the committed promtool tests: give --out DIR too.');
  process.exit(2);
}

// Compiled to dist/dashboards/generate.js; the sources' folder is two levels up.
const outDir = resolve(values.out ?? join(__dirname, '..', '..', 'dashboards'));
const files = generateArtifacts({ job: values.job, runbookUrl: values['runbook-url'], forOverride: values.for });
for (const [path, content] of files) {
  const target = join(outDir, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
}
console.log(`wrote ${files.size} files under ${outDir}`);
