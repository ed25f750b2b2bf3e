/**
 * The shipped Prometheus example (dashboards/prometheus/prometheus.example.yml) for another
 * job: the scrape job renamed, its comments kept, its opening comment replaced by `header`
 * (the shipped one names the file's place in the repository).
 */
import { parseDocument } from 'yaml';

const JOB_NAME = ['scrape_configs', 0, 'job_name'] as const;

export function scrapeExampleFor(shipped: string, job: string, header: string): string {
  const doc = parseDocument(shipped);
  if (doc.errors.length > 0 || typeof doc.getIn(JOB_NAME) !== 'string') {
    throw new Error('the shipped prometheus.example.yml has no scrape_configs[0].job_name');
  }
  doc.setIn(JOB_NAME, job);
  doc.commentBefore = header.split('\n').map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
