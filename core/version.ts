/** The agent's own version, from its package.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  // dist/core/version.js when built, core/version.ts under the test runner.
  for (const candidate of [join(__dirname, '..', '..', 'package.json'), join(__dirname, '..', 'package.json')]) {
    try {
      const parsed = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      if (parsed.name === 'querylens' && typeof parsed.version === 'string') return parsed.version;
    } catch {
      // Try the next location.
    }
  }
  return '0.0.0';
}

export const AGENT_VERSION = readVersion();
