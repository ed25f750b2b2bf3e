'use strict';
// A fake pg client for pg-pool (its `Client` option): connects and answers
// every statement in memory, with no socket and no server. Under callgrind
// that leaves pg-pool's checkout path and the agent's pool subclass alone in
// the count, which does not then depend on when replies arrive.
const { EventEmitter } = require('node:events');
const Pool = require('pg-pool');

class InMemoryPgClient extends EventEmitter {
  connect(callback) {
    setImmediate(() => callback(null));
  }

  query(_text, _values, callback) {
    const result = { rows: [{ v: 1 }], rowCount: 1 };
    if (typeof callback === 'function') {
      queueMicrotask(() => callback(null, result));
      return undefined;
    }
    return Promise.resolve(result);
  }

  end(callback) {
    if (callback) callback();
  }
}

/** A pool of 10 over in-memory clients, and its `pool.query`. */
function openInMemoryPool() {
  const pool = new Pool({ Client: InMemoryPgClient, max: 10 });
  return {
    poolQuery: (i) => pool.query('select $1::int as v', [i]),
    close: () => pool.end(),
  };
}

module.exports = { openInMemoryPool };
