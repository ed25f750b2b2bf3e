#!/usr/bin/env bash
# Runs one npm script's command after setting the checkout up, so a fresh
# clone needs nothing but the system's npm: Node.js 22+ on PATH (installed
# into .tools/ when the system Node.js is older), then `npm ci` when
# node_modules is missing or older than package-lock.json.
# Usage (from package.json): bash scripts/with-setup.sh 'command && command'
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/use-node.sh
# npm writes node_modules/.package-lock.json on every install: it is the
# record of what node_modules holds.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "querylens: installing dependencies (npm ci, 10-30 s the first time)" >&2
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error >&2
fi
# Arguments after the command (`npm test -- file.test.ts`) go to its last step.
exec bash -c "$1 \"\$@\"" with-setup "${@:2}"
