/**
 * The Redis recorder without spans (the agent's setting when it exports no
 * traces): durations and statistics are recorded, the tracer is never asked.
 * The same calls with spans on make the spans, so the test can fail.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { PreAggregatedHistogram } from '../../core/metrics/preAggregatedHistogram';
import { METRICS } from '../../core/metrics/registry';
import { RedisRecorder, type RedisInstruments } from '../../instrumentations/ioredis/recorder';
import { RedisStatistics } from '../../recording/redisStatistics';

const target = { serverAddress: 'localhost', serverPort: 6379, database: 0 };

function recorderWith(spans: boolean) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const duration = new PreAggregatedHistogram(METRICS.dbOperationDuration);
  let tracerCalls = 0;
  const tracer = () => {
    tracerCalls += 1;
    return provider.getTracer('test');
  };
  const unused = () => {
    throw new Error('not used by commands');
  };
  const instruments: RedisInstruments = { duration, connectionErrors: { add: unused }, reconnects: { add: unused } };
  const statistics = new RedisStatistics();
  const recorder = new RedisRecorder(tracer, () => instruments, statistics, spans);
  return { recorder, statistics, exporter, duration, provider, tracerCalls: () => tracerCalls };
}

function runCommands(recorder: RedisRecorder): void {
  const get = recorder.commandStarted(target, 'GET', 1);
  if (!get) throw new Error('expected a command record');
  recorder.commandFinished(get, undefined);
  const batch = recorder.batchStarted('PIPELINE', 2, target);
  recorder.batchFinished(batch, undefined);
}

describe('RedisRecorder spans switch', () => {
  it('with spans off records the duration and statistics but never asks the tracer', async () => {
    const { recorder, statistics, exporter, duration, provider, tracerCalls } = recorderWith(false);
    runCommands(recorder);
    await provider.forceFlush();
    expect(tracerCalls()).toBe(0);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect([...duration.series()].map((series) => series.count)).toEqual([1]);
    expect(statistics.summaries()).toMatchObject([{ command: 'GET', calls: 1, errors: 0 }]);
  });

  it('with spans on makes a span per command and per batch', async () => {
    const { recorder, exporter, provider } = recorderWith(true);
    runCommands(recorder);
    await provider.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['GET', 'PIPELINE']);
  });
});
