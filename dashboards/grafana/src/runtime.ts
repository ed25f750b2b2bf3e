/** Node.js runtime, from @opentelemetry/instrumentation-runtime-node: event loop, heap, GC, resources. */
import type { MetricDefinition } from '../../../core/metrics/registry';
import { QUERYLENS_RUNTIME_METRICS, RUNTIME_METRICS } from '../../../core/metrics/registry';
import { LABEL } from '../../shared/labels';
import { count, sumOf } from '../../shared/promql';
import type { DashboardSpec } from './dashboardBase';
import { timeseriesPanel } from './panels';
import { q, RATE } from './queries';

const inst = [LABEL.instance];
const instLegend = `{{${LABEL.instance}}}`;
const bySpace = [LABEL.instance, LABEL.heapSpace];
const spaceLegend = `{{${LABEL.heapSpace}}} {{${LABEL.instance}}}`;

const delay = (def: MetricDefinition, name: string) =>
  ({ expr: q.maxGauge(inst, def.scraped), legend: `${name} ${instLegend}` });

const R = RUNTIME_METRICS;

export const runtimeDashboard: DashboardSpec = {
  uid: 'querylens-runtime',
  file: 'nodejs-runtime',
  title: 'querylens / Node.js runtime',
  description: 'Event loop, V8 heap, garbage collection and active handles of each instrumented process.',
  sections: [
    {
      title: 'Event loop',
      panels: [
        timeseriesPanel({ title: 'Event loop delay percentiles', unit: 's',
          description: 'p50, p90, p99 and maximum event-loop delay per instance (perf_hooks.monitorEventLoopDelay).',
          targets: [delay(R.eventLoopDelayP50, 'p50'), delay(R.eventLoopDelayP90, 'p90'),
            delay(R.eventLoopDelayP99, 'p99'), delay(R.eventLoopDelayMax, 'max')] }),
        timeseriesPanel({ title: 'Event loop delay mean, minimum and spread', unit: 's',
          description: 'Mean, minimum and standard deviation of event-loop delay per instance.',
          targets: [delay(R.eventLoopDelayMean, 'mean'), delay(R.eventLoopDelayMin, 'min'), delay(R.eventLoopDelayStddev, 'stddev')] }),
        timeseriesPanel({ title: 'Event loop utilization', unit: 'percentunit',
          description: 'Share of time the event loop was busy (active) rather than waiting for I/O.',
          targets: [{ expr: q.maxGauge(inst, R.eventLoopUtilization.scraped), legend: instLegend }] }),
        timeseriesPanel({ title: 'Event loop time by state', unit: 'percentunit', stacked: true,
          description: 'Seconds per second the loop spent active and idle; active near 100% means CPU-bound.',
          targets: [{ expr: q.sumRate([LABEL.instance, LABEL.eventLoopState], R.eventLoopTime.scraped, RATE),
            legend: `{{${LABEL.eventLoopState}}} ${instLegend}` }] }),
      ],
    },
    {
      title: 'Memory and garbage collection',
      panels: [
        timeseriesPanel({ title: 'Heap used of limit', unit: 'percentunit',
          description: 'V8 heap in use over the heap size limit; at 100% the process dies with "heap out of memory".',
          targets: [{ expr: `${q.sumGauge(inst, R.heapUsed.scraped)} / ${q.maxGauge(inst, QUERYLENS_RUNTIME_METRICS.heapSizeLimit.scraped)}`,
            legend: instLegend }] }),
        timeseriesPanel({ title: 'Heap used by space', unit: 'bytes', stacked: true,
          description: 'Bytes in use in each V8 heap space (new, old, code, large objects …).',
          targets: [{ expr: q.sumGauge(bySpace, R.heapUsed.scraped), legend: spaceLegend }] }),
        timeseriesPanel({ title: 'Heap spaces: size, committed, available', unit: 'bytes',
          description: 'Per instance: heap spaces\' reserved size, physically committed size and available size.',
          targets: [
            { expr: q.sumGauge(inst, R.heapSpaceSize.scraped), legend: `size ${instLegend}` },
            { expr: q.sumGauge(inst, R.heapSpacePhysicalSize.scraped), legend: `committed ${instLegend}` },
            { expr: q.sumGauge(inst, R.heapSpaceAvailableSize.scraped), legend: `available ${instLegend}` },
          ] }),
        timeseriesPanel({ title: 'Time in garbage collection', unit: 'percentunit', stacked: true,
          description: 'Seconds of GC pause per second of wall time, by GC kind (major, minor, incremental, weakcb).',
          targets: [{ expr: q.sumRate([LABEL.instance, LABEL.gcType], sumOf(R.gcDuration), RATE), legend: `{{${LABEL.gcType}}} ${instLegend}` }] }),
        timeseriesPanel({ title: 'Garbage collections', unit: 'ops',
          description: 'Garbage collections per second, by kind.',
          targets: [{ expr: q.sumRate([LABEL.instance, LABEL.gcType], count(R.gcDuration), RATE), legend: `{{${LABEL.gcType}}} ${instLegend}` }] }),
        timeseriesPanel({ title: 'Active resources', unit: 'short', stacked: true,
          description: 'Handles and requests keeping the event loop alive (sockets, timers …), by type.',
          targets: [{ expr: q.sumGauge([LABEL.instance, LABEL.resourceType], R.activeResources.scraped),
            legend: `{{${LABEL.resourceType}}} ${instLegend}` }] }),
      ],
    },
  ],
};
