/**
 * The status page's charts, each drawn from one row's history in the report:
 * a statement's time per minute (the sparkline of the top statements),
 * its throughput and latency, a pool's use and waits, a cache's hit ratio.
 */
import type { QuerylensReport, ReportCache, ReportPool, ReportQuery, ReportStatementPoint } from '../../report/reportModel';
import { formatCount, formatMs, formatRatio } from './formatValues';
import { hourAxis, minuteAxis, slotValues, type TimeAxis } from './historySlots';
import { barChart, lineChart, sparkline, type ChartFrame } from './svgChart';

const WIDTH = 560;
const HEIGHT = 150;

function frame(title: string, time: TimeAxis, format: (value: number) => string, yMax?: number): ChartFrame {
  return { title, labels: time.labels, format, width: WIDTH, height: HEIGHT, ...(yMax === undefined ? {} : { yMax }) };
}

const meanMs = (point: ReportStatementPoint): number => (point.calls === 0 ? 0 : point.totalMs / point.calls);
const perMinute = (value: number): string => `${formatCount(value)}/min`;

/** Time spent in the statement per minute of the last hour. */
export function statementSparkline(report: QuerylensReport, query: ReportQuery): string {
  const time = minuteAxis(report);
  return sparkline('time per minute, last hour', slotValues(time, query.history.minutes, (point) => point.totalMs), formatMs, time.labels);
}

function throughputAndLatency(points: readonly ReportStatementPoint[], time: TimeAxis, span: string, unit: string): string {
  const calls = barChart(frame(`calls per ${unit}, ${span}`, time, (value) => `${formatCount(value)} calls`), {
    name: 'calls', className: 'series-a', values: slotValues(time, points, (point) => point.calls),
  });
  const latency = lineChart(frame(`latency per ${unit}, ${span}`, time, formatMs), [
    { name: 'p95', className: 'series-a', values: slotValues(time, points, (point) => point.p95Ms) },
    { name: 'mean', className: 'series-b', values: slotValues(time, points, meanMs) },
  ]);
  return `<div class="charts">${calls}${latency}</div>`;
}

/** Calls and latency of one statement, per minute for the last hour and per hour for the last day. */
export function statementCharts(report: QuerylensReport, query: ReportQuery): string {
  return throughputAndLatency(query.history.minutes, minuteAxis(report), 'last hour', 'minute')
    + throughputAndLatency(query.history.hours, hourAxis(report), 'last day', 'hour');
}

/** A pool's most connections in use and callers waiting per minute (a minute without either: 0), and its checkout wait p95. */
export function poolCharts(report: QuerylensReport, pool: ReportPool): string {
  const time = minuteAxis(report);
  const points = pool.history.minutes;
  const use = lineChart(frame(`${pool.name}: connections per minute (most seen)`, time, formatCount, Math.max(1, pool.max)), [
    { name: 'in use', className: 'series-a', values: slotValues(time, points, (point) => point.peakUsed, 0) },
    { name: 'callers waiting', className: 'series-b', values: slotValues(time, points, (point) => point.peakPending, 0) },
  ]);
  const waits = lineChart(frame(`${pool.name}: checkout wait p95 per minute`, time, formatMs), [
    { name: 'wait p95', className: 'series-a', values: slotValues(time, points.filter((point) => point.checkouts > 0), (point) => point.waitP95Ms) },
  ]);
  const checkouts = barChart(frame(`${pool.name}: checkouts per minute`, time, perMinute), {
    name: 'checkouts', className: 'series-a', values: slotValues(time, points, (point) => point.checkouts),
  });
  return `<div class="charts">${use}${waits}${checkouts}</div>`;
}

/** A cache's hit ratio per minute; minutes without lookups stay empty. */
export function cacheChart(report: QuerylensReport, cache: ReportCache): string {
  const time = minuteAxis(report);
  return lineChart(frame(`${cache.name} (${cache.layer}): hit ratio per minute`, time, formatRatio, 1), [
    { name: 'hit ratio', className: 'series-a', values: slotValues(time, cache.history.minutes, (point) => point.hitRatio) },
  ]);
}
