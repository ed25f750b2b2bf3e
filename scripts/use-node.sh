# Source this file: puts Node.js 24 from the npm registry on PATH when the
# system Node.js is older than 22 (querylens needs 22 or newer).
# Usage: . scripts/use-node.sh
_ql_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_ql_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$_ql_major" -lt 22 ]; then
  _ql_bin="$_ql_root/.tools/node24/node_modules/.bin"
  if [ ! -x "$_ql_bin/node" ]; then
    echo "querylens: system Node.js is ${_ql_major:-missing}; installing Node.js 24 from the npm registry into .tools/node24" >&2
    npm install --no-audit --no-fund --no-save --prefer-offline --loglevel=error --prefix "$_ql_root/.tools/node24" node@24 >&2 || return 1
  fi
  export PATH="$_ql_bin:$PATH"
fi
unset _ql_root _ql_major _ql_bin
