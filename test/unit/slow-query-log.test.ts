import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlowQueryLog, type SlowQueryLogEntry } from '../../exporters/slowQueryLog';

const entry: SlowQueryLogEntry = {
  time: '2026-11-27T11:22:13.353Z',
  fingerprint: '1f524e64c561b5c1',
  query: 'SELECT id FROM orders WHERE note = $1',
  durationMs: 612.5,
  rows: 0,
  traceId: undefined,
  findings: ['slow-query'],
  plan: 'Seq Scan on "orders" (cost 1791, rows 1)',
};

const dirs: string[] = [];
function logPath(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ql-slowlog-unit-'));
  dirs.push(dir);
  return path.join(dir, 'slow.jsonl');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('slow-query log', () => {
  it('appends one JSON line per entry to a file', async () => {
    const file = logPath();
    const log = createSlowQueryLog(file);
    log.write(entry);
    log.write({ ...entry, durationMs: 700 });
    await log.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as SlowQueryLogEntry);
    expect(lines.map((line) => line.durationMs)).toEqual([612.5, 700]);
    expect(lines[0]).toMatchObject({ fingerprint: entry.fingerprint, query: entry.query, findings: ['slow-query'], plan: entry.plan });
    expect(log.stats()).toEqual({ written: 2, dropped: 0 });
  });

  it('drops and counts lines instead of queueing without bound', async () => {
    const file = logPath();
    const lineBytes = JSON.stringify(entry).length + 1;
    const log = createSlowQueryLog(file, { maxPendingBytes: lineBytes * 2 });
    const attempts = 50;
    for (let i = 0; i < attempts; i += 1) log.write(entry);
    await log.close();
    const { written, dropped } = log.stats();
    expect(dropped).toBeGreaterThan(0);
    expect(written + dropped).toBe(attempts);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(written);
  });

  it('writes nothing when off, and reports a destination it cannot open without throwing', async () => {
    const off = createSlowQueryLog('off');
    off.write(entry);
    expect(off.stats()).toEqual({ written: 0, dropped: 0 });
    const broken = createSlowQueryLog(path.join(logPath(), 'no-such-dir', 'slow.jsonl'));
    broken.write(entry);
    await new Promise((resolve) => setTimeout(resolve, 50));
    broken.write(entry);
    await broken.close();
    expect(broken.stats().dropped).toBeGreaterThanOrEqual(1);
  });
});
