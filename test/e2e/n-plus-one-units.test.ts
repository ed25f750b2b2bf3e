/**
 * N+1 in every unit of work the app opens outside an HTTP request, with
 * querylens exporting no spans and the app registering a context manager but
 * no tracer provider (its spans are no-op ones, all with the zero id): a span,
 * a job handler's ticks, concurrent spans that must stay apart, ticks with no
 * unit at all, ticks and concurrent work in querylens' `unitOfWork`, and the
 * configurable time floor (QUERYLENS_N_PLUS_ONE_MIN_MS).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { APPS, REGISTER_CJS, freePort, lastJsonLine, runNode } from '../helpers/agentProcess';

interface Loop {
  readonly query: string;
  readonly loops: number;
  readonly maxRepetitions: number;
}

interface Finding {
  readonly example: string;
  readonly message: string;
  readonly count: number;
}

interface UnitsRun {
  readonly nPlusOne: Loop[];
  readonly findings: Finding[];
  readonly thresholds: { readonly nPlusOne: number; readonly nPlusOneMinMs: number };
}

async function runUnits(env: Record<string, string> = {}): Promise<UnitsRun> {
  const port = await freePort();
  const run = await runNode(join(APPS, 'n-plus-one-units.cjs'), {
    nodeArgs: ['--require', REGISTER_CJS],
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_TRACES_EXPORTER: 'none', ...env },
    timeoutMs: 60_000,
  });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  return lastJsonLine<UnitsRun>(run.stdout);
}

const loopOf = (run: UnitsRun, alias: string) => run.nPlusOne.filter((loop) => loop.query.includes(alias));
const findingOf = (run: UnitsRun, alias: string) => run.findings.filter((finding) => finding.example.includes(alias));

describe('N+1 outside HTTP requests, with no spans exported', () => {
  let defaults: UnitsRun;
  beforeAll(async () => {
    defaults = await runUnits();
  }, 90_000);

  it('is found inside the app\'s own (no-op) span, and the finding names the loop\'s real size', () => {
    expect(defaults.thresholds).toEqual(expect.objectContaining({ nPlusOne: 5, nPlusOneMinMs: 50 }));
    expect(loopOf(defaults, 'span_item')).toMatchObject([{ loops: 1, maxRepetitions: 8 }]);
    const [finding] = findingOf(defaults, 'span_item');
    expect(finding?.message).toMatch(/^Same statement executed 8 times in one unit of work/);
    expect(finding?.count).toBe(1);
  });

  it('is found in a job handler\'s tick, each tick its own unit of work', () => {
    // Merged ticks would make one loop of 12.
    expect(loopOf(defaults, 'job_item')).toMatchObject([{ loops: 1, maxRepetitions: 6 }]);
  });

  it('keeps two concurrent units apart', () => {
    // Merged, the two spans would make one loop of 9.
    expect(loopOf(defaults, 'concurrent_item')).toMatchObject([{ loops: 1, maxRepetitions: 6 }]);
  });

  it('does not merge work that opens no unit (no request, no span) into one loop', () => {
    expect(loopOf(defaults, 'bare_tick')).toEqual([]);
  });

  it('groups work the app runs in querylens\' unitOfWork, with no span, each unit apart', () => {
    // Merged ticks would make one loop of 12; merged concurrent units one of 9; no grouping, none.
    expect(loopOf(defaults, 'unit_tick')).toMatchObject([{ loops: 1, maxRepetitions: 6 }]);
    expect(loopOf(defaults, 'unit_concurrent')).toMatchObject([{ loops: 1, maxRepetitions: 6 }]);
    expect(findingOf(defaults, 'unit_tick')[0]?.message).toMatch(/^Same statement executed 6 times in one unit of work/);
  });

  it('leaves a loop under the default 50 ms floor out', () => {
    expect(loopOf(defaults, 'fast_item')).toEqual([]);
  });

  it('reports that loop once QUERYLENS_N_PLUS_ONE_MIN_MS lowers the floor', async () => {
    const lowered = await runUnits({ QUERYLENS_N_PLUS_ONE_MIN_MS: '0' });
    expect(lowered.thresholds.nPlusOneMinMs).toBe(0);
    expect(loopOf(lowered, 'fast_item')).toMatchObject([{ loops: 1, maxRepetitions: 8 }]);
    expect(loopOf(lowered, 'bare_tick')).toEqual([]);
  }, 90_000);
});
