/**
 * Creates OpenTelemetry instruments from registry definitions, so the name,
 * unit, description and bucket advice are written once. The value type is
 * left to the SDK's default (a double): naming it would load the OpenTelemetry
 * API with capture, at the app's start (core/moduleHook.ts says why that matters).
 */
import type {
  Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableCounter,
} from '@opentelemetry/api';
import type { MetricDefinition } from './registry';

export function createHistogram(meter: Meter, def: MetricDefinition): Histogram<Attributes> {
  return meter.createHistogram(def.name, {
    description: def.description,
    unit: def.unit,
    advice: def.buckets ? { explicitBucketBoundaries: [...def.buckets] } : undefined,
  });
}

export function createCounter(meter: Meter, def: MetricDefinition): Counter<Attributes> {
  return meter.createCounter(def.name, { description: def.description, unit: def.unit });
}

export function createObservableGauge(meter: Meter, def: MetricDefinition): ObservableGauge<Attributes> {
  return meter.createObservableGauge(def.name, { description: def.description, unit: def.unit });
}

export function createObservableCounter(meter: Meter, def: MetricDefinition): ObservableCounter<Attributes> {
  return meter.createObservableCounter(def.name, { description: def.description, unit: def.unit });
}
