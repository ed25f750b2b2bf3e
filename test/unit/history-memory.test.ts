/**
 * The history's memory, measured rather than computed: bench/history-memory.mjs
 * allocates histories of every shape in a fresh process (heap and array
 * buffers after GC), fills every bucket through a day of minutes, and prints
 * the bytes per history. docs/hardening.md states these caps.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/agentProcess';

/** The caps docs/hardening.md states, per history. */
const CAP_BYTES = { statement: 4096, pool: 4096, cache: 4096, redisServer: 4096 } as const;

interface Measured {
  readonly typedArrayBytes: number;
  readonly measuredBytes: number;
}

describe('history memory', () => {
  it('stays within the stated bytes per statement, pool, cache and Redis server, however long it runs', () => {
    const output = execFileSync(process.execPath, ['--expose-gc', join(ROOT, 'bench', 'history-memory.mjs'), '1000'], { encoding: 'utf8', timeout: 60_000 });
    const measured = JSON.parse(output) as Record<keyof typeof CAP_BYTES, Measured>;
    console.log(`history bytes per source (measured): ${output.trim()}`);
    for (const [source, cap] of Object.entries(CAP_BYTES)) {
      const { typedArrayBytes, measuredBytes } = measured[source as keyof typeof CAP_BYTES];
      expect(measuredBytes, source).toBeGreaterThanOrEqual(typedArrayBytes);
      expect(measuredBytes, source).toBeLessThanOrEqual(cap);
    }
  });
});
