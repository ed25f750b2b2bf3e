/** The real Prometheus and Alertmanager binaries from Debian's packages; never mocks. */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const TOOLS = {
  promtool: 'promtool',
  amtool: 'amtool',
  prometheus: 'prometheus',
  alertmanager: 'prometheus-alertmanager',
} as const;

const INSTALL_HINT = 'run .ci/run or apt-get install prometheus prometheus-alertmanager';

/** Absolute path of a tool on PATH, or an error that says how to install it. */
export function toolPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory; keep looking
    }
  }
  throw new Error(`${name} not found on PATH: ${INSTALL_HINT}`);
}

export interface ToolRun { readonly status: number | null; readonly output: string }

export function runTool(name: string, args: readonly string[], cwd?: string): ToolRun {
  const result = spawnSync(toolPath(name), args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
