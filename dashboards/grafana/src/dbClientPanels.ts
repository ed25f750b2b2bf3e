/**
 * Panels over `db.client.operation.duration` that the PostgreSQL and Redis dashboards share,
 * told apart by their `db.system.name` matcher and their wording.
 */
import { METRICS } from '../../../core/metrics/registry';
import { LABEL } from '../../shared/labels';
import type { Matcher } from '../../shared/promql';
import { count, ne } from '../../shared/promql';
import type { PanelSpec } from './panels';
import { timeseriesPanel } from './panels';
import { q, RATE } from './queries';

const ops = count(METRICS.dbOperationDuration);
const failed = ne(LABEL.errorType, '');

interface Text { readonly title: string; readonly description: string }

/** Operations per second, stacked by `label` (operation name, error type …). */
export function operationsBy(label: string, system: Matcher, text: Text, ...matchers: Matcher[]): PanelSpec {
  return timeseriesPanel({ ...text, unit: 'ops', stacked: true,
    targets: [{ expr: q.sumRate([label], ops, RATE, system, ...matchers), legend: `{{${label}}}` }] });
}

export function errorsBy(label: string, system: Matcher, text: Text): PanelSpec {
  return operationsBy(label, system, text, failed);
}

export function errorRatio(system: Matcher, text: Text): PanelSpec {
  return timeseriesPanel({ ...text, unit: 'percentunit',
    targets: [{ expr: q.rateRatio([], ops, RATE, [failed], [system]), legend: 'errors' }] });
}

/** Said on every panel that asks for exemplars. */
export const EXEMPLAR_NOTE = 'Dots are exemplars (with spans exported): a recent slow call per bucket, linked to its trace.';

function withExemplarNote(text: Text): Text {
  return { ...text, description: `${text.description} ${EXEMPLAR_NOTE}` };
}

export function latencyPercentiles(phis: readonly number[], system: Matcher, text: Text): PanelSpec {
  return timeseriesPanel({ ...withExemplarNote(text), unit: 's',
    targets: phis.map((phi) => ({
      expr: q.quantile(phi, [], METRICS.dbOperationDuration, RATE, system), legend: `p${Math.round(phi * 100)}`, exemplar: true })) });
}

export function p99LatencyBy(label: string, system: Matcher, text: Text): PanelSpec {
  return timeseriesPanel({ ...withExemplarNote(text), unit: 's',
    targets: [{ expr: q.quantile(0.99, [label], METRICS.dbOperationDuration, RATE, system), legend: `{{${label}}}`, exemplar: true }] });
}
