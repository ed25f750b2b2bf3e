/** `OTEL_SERVICE_NAME`, else the name in the app's package.json (from the working directory up). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function appPackageName(startDir: string): string | undefined {
  let dir = startDir;
  for (let depth = 0; depth < 10; depth += 1) {
    const file = join(dir, 'package.json');
    // Asked before reading: a failed read throws an error whose stack the preload paid for, 0.1 ms a folder.
    if (existsSync(file)) {
      try {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown };
        return typeof parsed.name === 'string' && parsed.name !== '' ? parsed.name : undefined;
      } catch {
        // Unreadable, or not JSON: the folder above may hold the app's.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

export function resolveServiceName(configured: string | undefined, cwd: string): string {
  return configured ?? appPackageName(cwd) ?? 'unknown_service:node';
}
