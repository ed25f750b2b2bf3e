'use strict';
// An embedded PostgreSQL for the demo when no server answers: PGlite (PostgreSQL
// compiled to WebAssembly, in memory) behind pglite-socket, so the demo's
// pg.Pool connects to it over TCP on a free local port like to any server.
// PGlite runs one session shared by every connection (pglite-socket
// multiplexes them), so session settings leak between connections.

async function startEmbeddedPostgres() {
  let PGlite;
  let PGLiteSocketServer;
  try {
    ({ PGlite } = require('@electric-sql/pglite'));
    ({ PGLiteSocketServer } = require('@electric-sql/pglite-socket'));
  } catch (error) {
    throw new Error(`the embedded PostgreSQL needs the devDependencies @electric-sql/pglite and @electric-sql/pglite-socket (run npm install in the clone): ${error.message}`);
  }
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

module.exports = { startEmbeddedPostgres };
