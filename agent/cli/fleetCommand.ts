/**
 * `querylens fleet --prometheus <url>`: the status page's fleet mode, served
 * by the CLI. Every request reads the fleet from Prometheus afresh (nothing is
 * cached or stored here: Prometheus is the store). Runs until interrupted.
 */
import { parseArgs } from 'node:util';
import { readFleet } from '../../fleet/readFleet';
import { FLEET_PATHS, startFleetServer } from '../../fleet/fleetServer';
import type { CliCommand, CliIo } from './command';
import { EXIT_OK, EXIT_USAGE, UsageError, parsedAsUsage, positiveInteger } from './command';
import { FLEET_HELP, FLEET_OPTIONS, fleetScope, fleetTarget } from './fleetArgs';

/** Next to the agent's default 9464, so both fit one firewall note. */
const DEFAULT_PORT = '9470';

export const FLEET_COMMAND_HELP = `Usage: querylens fleet --prometheus http://prometheus:9090 [options]

Serves the status page's fleet mode: top statements by total time across
every instance Prometheus scrapes, findings by rule and pools by saturation,
per instance where they differ. GET / is the page (?refresh=<s> reloads it),
GET /api/fleet the same report as JSON. Each request queries Prometheus.

Options:
${FLEET_HELP}      --host <address>       listen address (default: 127.0.0.1)
      --port <n>             listen port (default: ${DEFAULT_PORT})
      --timeout <ms>         give up on Prometheus after this long (default: 5000)
  -h, --help                 this help

Exit codes: 2 usage error or the port could not be had; it runs until stopped.
`;

function parseFleetArgs(args: readonly string[]) {
  const { values } = parsedAsUsage(() => parseArgs({
    args: [...args],
    strict: true,
    options: {
      ...FLEET_OPTIONS,
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: DEFAULT_PORT },
      timeout: { type: 'string', default: '5000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
  return values;
}

export const fleetCommand: CliCommand = {
  name: 'fleet',
  summary: 'serve the fleet\'s status page, read from Prometheus',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const values = parseFleetArgs(args);
    if (values.help) {
      io.out(FLEET_COMMAND_HELP);
      return EXIT_OK;
    }
    const { prometheus } = values;
    if (prometheus === undefined) throw new UsageError('--prometheus <url> is required');
    const target = fleetTarget({ ...values, prometheus }, positiveInteger('timeout', values.timeout));
    const scope = fleetScope(values);
    const port = Number(values.port);
    if (!/^\d{1,5}$/.test(values.port) || port > 65_535) throw new UsageError(`--port ${JSON.stringify(values.port)} is not a port number`);
    try {
      const server = await startFleetServer({ host: values.host, port, read: () => readFleet(target, scope), warn: (line) => io.err(`${line}\n`) });
      const address = server.address();
      const listening = typeof address === 'object' && address !== null ? address.port : port;
      io.out(`querylens fleet: http://${values.host.includes(':') ? `[${values.host}]` : values.host}:${listening}${FLEET_PATHS.page} (JSON: ${FLEET_PATHS.report}), reading ${target.url.href}\n`);
    } catch (error) {
      io.err(`querylens: cannot listen on ${values.host}:${port}: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT_USAGE;
    }
    // The server keeps the process up; the exit code applies when it is stopped.
    return EXIT_OK;
  },
};
