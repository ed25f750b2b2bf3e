import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIN_NODE_MAJOR, isLauncherProcess, unsupportedNodeLine } from '../../agent/preloadGate';

const OWN_CLI = '/srv/app/node_modules/querylens/dist/agent/cli/main.js';

function launcher(path: string | undefined, realPath: string | undefined = path): boolean {
  return isLauncherProcess({ path, realPath, ownCli: OWN_CLI });
}

describe('isLauncherProcess', () => {
  it.each([
    ['npm through its link', '/usr/bin/npm', '/usr/lib/node_modules/npm/bin/npm-cli.js'],
    ['npx through its link', '/usr/bin/npx', '/usr/lib/node_modules/npm/bin/npx-cli.js'],
    ['npm run by path', '/usr/lib/node_modules/npm/bin/npm-cli.js', undefined],
    ['yarn classic', '/srv/app/node_modules/.bin/yarn', '/srv/app/node_modules/yarn/bin/yarn.js'],
    ['yarn berry release file', '/srv/app/.yarn/releases/yarn-4.5.0.cjs', undefined],
    ['yarn berry package', '/x/node_modules/@yarnpkg/cli-dist/bin/yarn.js', undefined],
    ['pnpm through corepack', '/usr/bin/pnpm', '/usr/lib/node_modules/corepack/dist/pnpm.js'],
    ['corepack', '/usr/bin/corepack', '/usr/lib/node_modules/corepack/dist/corepack.js'],
    ['node-gyp', '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js', undefined],
    ['nodemon', '/srv/app/node_modules/.bin/nodemon', '/srv/app/node_modules/nodemon/bin/nodemon.js'],
    ['concurrently', '/srv/app/node_modules/.bin/concurrently', '/srv/app/node_modules/concurrently/dist/bin/concurrently.js'],
    ['npm-run-all (run-p)', '/srv/app/node_modules/.bin/run-p', '/srv/app/node_modules/npm-run-all/bin/run-p/index.js'],
    ['the querylens CLI through npx', '/srv/app/node_modules/.bin/querylens', OWN_CLI],
  ])('%s is a launcher', (_name, path, realPath) => {
    expect(launcher(path, realPath)).toBe(true);
  });

  it('this copy\'s own CLI is a launcher wherever it lives (a checkout, not node_modules)', () => {
    expect(isLauncherProcess({ path: '/work/querylens/dist/agent/cli/main.js', realPath: undefined, ownCli: '/work/querylens/dist/agent/cli/main.js' })).toBe(true);
  });

  it.each([
    ['an app script', '/srv/app/server.js'],
    ['an app under a folder called npm', '/srv/npm/server.js'],
    ['an app whose name starts like a tool', '/srv/app/npm-report.js'],
    ['an app installed as a package', '/srv/node_modules/orders-service/server.js'],
    ['the PM2 process container (it runs the app itself)', '/usr/lib/node_modules/pm2/lib/ProcessContainerFork.js'],
    ['no script (node -e, the REPL)', undefined],
  ])('%s is not', (_name, path) => {
    expect(launcher(path)).toBe(false);
  });
});

describe('unsupportedNodeLine', () => {
  it('says nothing on a supported Node.js', () => {
    expect(unsupportedNodeLine(`${MIN_NODE_MAJOR}.0.0`)).toBeUndefined();
    expect(unsupportedNodeLine('24.11.1')).toBeUndefined();
  });

  it('names the version and the supported range on an older one', () => {
    expect(unsupportedNodeLine('20.20.2')).toBe(`querylens: Node.js 20.20.2 is older than the supported ${MIN_NODE_MAJOR}+; the agent is off for this process and the app runs without it`);
  });

  it('agrees with package.json engines', () => {
    const engines = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${MIN_NODE_MAJOR}`);
  });
});
