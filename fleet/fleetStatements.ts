/**
 * Top statements across the fleet: each instance's `querylens_query_*` series
 * summed by fingerprint (a fingerprint is the hash of the normalized text, the
 * same on every instance), joined to the text of `querylens_query_info`. Pure.
 */
import { OTHER as OTHER_FINGERPRINT } from '../recording/queryStatistics';
import { LABEL } from '../dashboards/shared/labels';
import type { FleetStatement, FleetTarget, InstanceFigures } from './fleetModel';
import { TARGET, compareTargets, keyOf, targetOf } from './keyedSamples';
import type { VectorSample } from './prometheusApi';

export interface StatementSamples {
  readonly calls: readonly VectorSample[];
  /** Seconds, as `querylens_query_time_total` counts them. */
  readonly time: readonly VectorSample[];
  readonly rows: readonly VectorSample[];
  readonly errors: readonly VectorSample[];
  readonly queryInfo: readonly VectorSample[];
}

interface MutableFigures extends FleetTarget { calls: number; totalMs: number; rows: number; errors: number }

interface Accumulated {
  readonly fingerprint: string;
  operation: string;
  collection: string;
  /** By keyOf(labels, TARGET). */
  readonly byInstance: Map<string, MutableFigures>;
}

type Field = 'calls' | 'totalMs' | 'rows' | 'errors';

function accumulate(into: Map<string, Accumulated>, samples: readonly VectorSample[], field: Field, scale: number): void {
  for (const { labels, value } of samples) {
    const fingerprint = labels[LABEL.fingerprint] ?? '';
    const targetKey = keyOf(labels, TARGET);
    let statement = into.get(fingerprint);
    if (statement === undefined) {
      statement = { fingerprint, operation: '', collection: '', byInstance: new Map() };
      into.set(fingerprint, statement);
    }
    statement.operation ||= labels[LABEL.dbOperation] ?? '';
    statement.collection ||= labels[LABEL.dbCollection] ?? '';
    let figures = statement.byInstance.get(targetKey);
    if (figures === undefined) {
      figures = { ...targetOf(labels), calls: 0, totalMs: 0, rows: 0, errors: 0 };
      statement.byInstance.set(targetKey, figures);
    }
    if (Number.isFinite(value)) figures[field] += value * scale;
  }
}

const sum = (figures: readonly InstanceFigures[], field: Field): number => figures.reduce((total, entry) => total + entry[field], 0);

/**
 * Each fingerprint's text. Instances normally agree; where they do not (an
 * instance that labelled the statement before its parser was ready holds the
 * keyword-only placeholder), the longest text is the most telling.
 */
function queryTexts(info: readonly VectorSample[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const { labels } of info) {
    const fingerprint = labels[LABEL.fingerprint];
    const text = labels[LABEL.query] ?? '';
    if (fingerprint !== undefined && text.length > (texts.get(fingerprint) ?? '').length) texts.set(fingerprint, text);
  }
  return texts;
}

function statementOf(entry: Accumulated, text: string, fleetMs: number): FleetStatement {
  const instances = [...entry.byInstance.values()].filter((figures) => figures.calls > 0 || figures.totalMs > 0)
    .sort((a, b) => b.totalMs - a.totalMs || compareTargets(a, b));
  const calls = sum(instances, 'calls');
  const totalMs = sum(instances, 'totalMs');
  return {
    fingerprint: entry.fingerprint, query: text, operation: entry.operation, collection: entry.collection,
    calls, totalMs, meanMs: calls > 0 ? totalMs / calls : undefined, rows: sum(instances, 'rows'), errors: sum(instances, 'errors'),
    shareOfTime: fleetMs > 0 ? totalMs / fleetMs : 0, instances,
  };
}

export function fleetStatements(samples: StatementSamples): { statements: FleetStatement[]; other: { calls: number; totalMs: number } } {
  const byFingerprint = new Map<string, Accumulated>();
  accumulate(byFingerprint, samples.calls, 'calls', 1);
  accumulate(byFingerprint, samples.time, 'totalMs', 1000);
  accumulate(byFingerprint, samples.rows, 'rows', 1);
  accumulate(byFingerprint, samples.errors, 'errors', 1);
  const all = [...byFingerprint.values()];
  const fleetMs = all.reduce((total, entry) => total + [...entry.byInstance.values()].reduce((ms, figures) => ms + figures.totalMs, 0), 0);
  const texts = queryTexts(samples.queryInfo);
  const other = byFingerprint.get(OTHER_FINGERPRINT);
  const otherFigures = other === undefined ? [] : [...other.byInstance.values()];
  return {
    statements: all.filter((entry) => entry.fingerprint !== OTHER_FINGERPRINT)
      .map((entry) => statementOf(entry, texts.get(entry.fingerprint) ?? '', fleetMs))
      .filter((statement) => statement.calls > 0 || statement.totalMs > 0)
      .sort((a, b) => b.totalMs - a.totalMs || b.calls - a.calls || a.fingerprint.localeCompare(b.fingerprint)),
    other: { calls: sum(otherFigures, 'calls'), totalMs: sum(otherFigures, 'totalMs') },
  };
}
