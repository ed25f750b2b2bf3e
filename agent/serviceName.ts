/** `OTEL_SERVICE_NAME`, else the name in the app's package.json (from the working directory up). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function appPackageName(startDir: string): string | undefined {
  let dir = startDir;
  for (let depth = 0; depth < 10; depth += 1) {
    try {
      const parsed = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (typeof parsed.name === 'string' && parsed.name !== '') return parsed.name;
      return undefined;
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }
  return undefined;
}

export function resolveServiceName(configured: string | undefined, cwd: string): string {
  return configured ?? appPackageName(cwd) ?? 'unknown_service:node';
}
