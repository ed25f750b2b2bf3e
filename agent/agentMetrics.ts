/**
 * The agent's metrics about itself: its version, the heap's ceiling, its
 * errors per component and the SQL engine's. Registered by the telemetry
 * stage, once the meter exists.
 */
import { getHeapStatistics } from 'node:v8';
import type { Meter } from '@opentelemetry/api';
import { AGENT_COMPONENTS, agentErrorCount } from '../core/agentErrors';
import { AGENT_VERSION } from '../core/version';
import { ATTR, METRICS, QUERYLENS_RUNTIME_METRICS } from '../core/metrics/registry';
import { createObservableCounter, createObservableGauge } from '../core/metrics/instruments';
import { observeSqlEngine, type RuntimeSqlEngine } from './startAnalysis';

/** Every component at 0 from the start, so its first failure is an increase an alert sees. */
function observeAgentErrors(meter: Meter): void {
  const components = AGENT_COMPONENTS.map((component) => ({ component, attributes: { [ATTR.component]: component } }));
  const errors = createObservableCounter(meter, METRICS.agentErrors);
  errors.addCallback((result) => {
    for (const { component, attributes } of components) result.observe(agentErrorCount(component), attributes);
  });
}

export function registerAgentMetrics(meter: Meter, engine: RuntimeSqlEngine): void {
  observeSqlEngine(meter, engine);
  const info = createObservableGauge(meter, METRICS.agentInfo);
  info.addCallback((result) => result.observe(1, { [ATTR.version]: AGENT_VERSION }));
  // The ceiling the heap-near-limit alert compares v8js_memory_heap_used to; the runtime instrumentation has none.
  const heapLimit = createObservableGauge(meter, QUERYLENS_RUNTIME_METRICS.heapSizeLimit);
  heapLimit.addCallback((result) => result.observe(getHeapStatistics().heap_size_limit));
  observeAgentErrors(meter);
}
