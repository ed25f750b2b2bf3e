/**
 * The meter capture records on before the agent's metric pipeline exists.
 * The agent hooks pg and ioredis as the app starts, and loads the
 * OpenTelemetry SDK later, between the app's own work (agent/startStages.ts):
 * a Redis connection error or a pool timeout in those first moments is kept
 * here and replayed onto the real meter once it exists, so it still counts.
 *
 * Bounded: past MAX_HELD_RECORDS records (all scopes together) are counted as dropped, not kept.
 * Observable instruments keep nothing: each instrumentation registers its
 * callbacks again on the real meter (CaptureInstrumentation.setMeterProvider).
 */
import type {
  Attributes, BatchObservableCallback, Counter, Gauge, Histogram, Meter, MeterOptions, MeterProvider, MetricOptions, Observable,
  ObservableCounter, ObservableGauge, ObservableUpDownCounter, UpDownCounter,
} from '@opentelemetry/api';

/** A start-up's worth: a few hundred pool timeouts or connection errors at most, with room to spare. */
export const MAX_HELD_RECORDS = 10_000;

type HeldKind = 'counter' | 'upDownCounter' | 'histogram' | 'gauge';

interface HeldInstrument {
  readonly kind: HeldKind;
  readonly name: string;
  readonly options: MetricOptions | undefined;
  readonly records: { readonly value: number; readonly attributes: Attributes | undefined }[];
}

type Recording = Counter & UpDownCounter & Histogram & Gauge;

/** An observable instrument whose callbacks are never called: they are registered again on the real meter. */
const UNOBSERVED: Observable = { addCallback: () => undefined, removeCallback: () => undefined };

/** The bound, shared by every scope's meter. */
interface HeldCount {
  records: number;
  dropped: number;
}

class HeldMeter implements Meter {
  private readonly held: HeldInstrument[] = [];

  constructor(private readonly count: HeldCount) {}

  createCounter(name: string, options?: MetricOptions): Counter { return this.hold('counter', name, options); }
  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter { return this.hold('upDownCounter', name, options); }
  createHistogram(name: string, options?: MetricOptions): Histogram { return this.hold('histogram', name, options); }
  createGauge(name: string, options?: MetricOptions): Gauge { return this.hold('gauge', name, options); }
  createObservableGauge(): ObservableGauge { return UNOBSERVED; }
  createObservableCounter(): ObservableCounter { return UNOBSERVED; }
  createObservableUpDownCounter(): ObservableUpDownCounter { return UNOBSERVED; }
  addBatchObservableCallback(_callback: BatchObservableCallback, _observables: Observable[]): void {}
  removeBatchObservableCallback(_callback: BatchObservableCallback, _observables: Observable[]): void {}

  /** Records everything held onto `meter`'s instruments of the same names, then forgets it. */
  replayInto(meter: Meter): void {
    for (const instrument of this.held.splice(0)) {
      const replay = replayOnto(meter, instrument);
      for (const { value, attributes } of instrument.records) replay(value, attributes);
    }
  }

  private hold(kind: HeldKind, name: string, options: MetricOptions | undefined): Recording {
    const instrument: HeldInstrument = { kind, name, options, records: [] };
    this.held.push(instrument);
    const keep = (value: number, attributes?: Attributes): void => {
      if (this.count.records >= MAX_HELD_RECORDS) {
        this.count.dropped += 1;
        return;
      }
      this.count.records += 1;
      instrument.records.push({ value, attributes });
    };
    return { add: keep, record: keep };
  }
}

type Replay = (value: number, attributes: Attributes | undefined) => void;

/** Writes one held record onto the real meter's instrument of the same name and kind. */
function replayOnto(meter: Meter, { kind, name, options }: HeldInstrument): Replay {
  switch (kind) {
    case 'counter': {
      const counter = meter.createCounter(name, options);
      return (value, attributes) => counter.add(value, attributes);
    }
    case 'upDownCounter': {
      const counter = meter.createUpDownCounter(name, options);
      return (value, attributes) => counter.add(value, attributes);
    }
    case 'histogram': {
      const histogram = meter.createHistogram(name, options);
      return (value, attributes) => histogram.record(value, attributes);
    }
    case 'gauge': {
      const gauge = meter.createGauge(name, options);
      return (value, attributes) => gauge.record(value, attributes);
    }
  }
}

/**
 * The meter provider to hand the instrumentations (CaptureInstrumentation.setMeterProvider)
 * until the real one exists: one held meter per instrumentation scope, so
 * each record is replayed under the scope it was made in.
 */
export class HeldMeterProvider implements MeterProvider {
  private readonly meters = new Map<string, { readonly name: string; readonly version: string | undefined; readonly options: MeterOptions | undefined; readonly meter: HeldMeter }>();
  private readonly count: HeldCount = { records: 0, dropped: 0 };

  getMeter(name: string, version?: string, options?: MeterOptions): Meter {
    const key = `${name}@${version ?? ''}`;
    let entry = this.meters.get(key);
    if (entry === undefined) {
      entry = { name, version, options, meter: new HeldMeter(this.count) };
      this.meters.set(key, entry);
    }
    return entry.meter;
  }

  /** Records made past the bound, lost. */
  get dropped(): number {
    return this.count.dropped;
  }

  /** Replays every record onto `provider`'s meters of the same scopes, then forgets them. */
  replayInto(provider: MeterProvider): void {
    for (const { name, version, options, meter } of this.meters.values()) meter.replayInto(provider.getMeter(name, version, options));
    this.meters.clear();
    this.count.records = 0;
  }
}
