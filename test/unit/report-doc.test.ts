/** docs/report.md names every top-level field of the report, and only those: the doc cannot fall behind the model. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import { createQueryRecorder } from '../../recording/queryRecorder';
import { buildReport } from '../../report/buildReport';
import { ROOT } from '../helpers/agentProcess';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

function documentedTopLevelFields(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs', 'report.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Top level'), doc.indexOf('### Query'));
  const fields = new Set<string>();
  for (const row of section.split('\n').filter((line) => line.startsWith('| `'))) {
    // A row documents one or more fields: `startedAt`, `uptimeSeconds`; `queries.top` is under `queries`.
    const cell = row.split('|')[1];
    for (const [, name] of cell.matchAll(/`([A-Za-z]+)[.`]/g)) fields.add(name);
  }
  return fields;
}

describe('docs/report.md', () => {
  it('documents exactly the top-level fields buildReport produces', () => {
    const config = readConfig({}, () => undefined);
    const report = buildReport({ serviceName: 's', agentVersion: 'v', startedAt: 0, now: 1000, config, recorder: createQueryRecorder(config, new CacheMetricsReader().meter) });
    expect([...documentedTopLevelFields()].sort()).toEqual(Object.keys(report).sort());
  });
});
