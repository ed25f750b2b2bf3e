/** Index suggestions on the status page and in `querylens report`: the DDL, the cost figures, whether verified, escaped. */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../agent/config';
import { formatReportText } from '../../agent/cli/formatReport';
import { renderStatusPage } from '../../http/statusPage/renderStatusPage';
import { createQueryRecorder } from '../../recording/queryRecorder';
import { buildReport } from '../../report/buildReport';
import type { QuerylensReport, ReportIndexSuggestion } from '../../report/reportModel';
import { CacheMetricsReader } from '../helpers/cacheMetrics';

const MARKUP = '<img src=x onerror=alert(1)>';

function reportWith(suggestion: ReportIndexSuggestion, indexAdvisor: 'auto' | 'off' = 'auto'): QuerylensReport {
  const config = readConfig({ QUERYLENS_INDEX_ADVISOR: indexAdvisor }, (line) => { throw new Error(line); });
  const report = buildReport({ serviceName: 'svc', agentVersion: 'v', startedAt: 0, now: 60_000, config, recorder: createQueryRecorder(config, new CacheMetricsReader().meter) });
  return { ...report, indexSuggestions: [suggestion] };
}

const suggestion: ReportIndexSuggestion = {
  ddl: `CREATE INDEX CONCURRENTLY ON "${MARKUP}" (customer_id);`, table: MARKUP, verified: true,
  costBefore: 4123.4, costAfter: 12.9, msPerHour: 5400, timeShare: 0.42,
  statements: [{ fingerprint: 'f1', query: `SELECT id FROM "${MARKUP}" WHERE customer_id = $1`, costBefore: 4123.4, costAfter: 12.9, msPerHour: 5400 }],
  firstSeen: '2026-12-02T00:00:00.000Z', lastSeen: '2026-12-02T00:01:00.000Z',
};

describe('index suggestions shown', () => {
  it('on the status page: the statement to run, the costs before and after, verified or not, escaped', () => {
    const html = renderStatusPage(reportWith(suggestion), { sort: 'total', refreshSeconds: 0, path: '/querylens' });
    expect(html).not.toContain('<img');
    expect(html).toContain(`<pre>CREATE INDEX CONCURRENTLY ON &quot;&lt;img`);
    expect(html).toContain('estimated cost 4,123 → 13, verified with HypoPG');
    expect(html).toContain('42.0 % of statement time');
    const unverified = renderStatusPage(reportWith({ ...suggestion, verified: false }), { sort: 'total', refreshSeconds: 0, path: '/querylens' });
    expect(unverified).toContain('estimated from pg_stats, unverified');
  });

  it('says so when the advisor is off', () => {
    const html = renderStatusPage({ ...reportWith(suggestion, 'off'), indexSuggestions: [] }, { sort: 'total', refreshSeconds: 0, path: '/querylens' });
    expect(html).toContain('the index advisor is off (QUERYLENS_INDEX_ADVISOR=off)');
  });

  it('in querylens report', () => {
    const text = formatReportText(reportWith(suggestion), 10);
    expect(text).toContain(`Index suggestions\nCREATE INDEX CONCURRENTLY ON "${MARKUP}" (customer_id);\n  cost 4,123 -> 13 (verified with HypoPG); 5400 ms per hour in these statements, 42% of statement time\n    SELECT id FROM "${MARKUP}" WHERE customer_id = $1\n`);
    expect(formatReportText({ ...reportWith(suggestion), indexSuggestions: [] }, 10)).not.toContain('Index suggestions');
  });
});
