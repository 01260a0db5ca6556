// Hocuspocus 3 on port 0. With HOCUSPOCUS_SQLITE=<file> it persists through
// @hocuspocus/extension-sqlite (documents stored after its default debounce: 2 s, at most 10 s,
// and when the last client leaves); without it, documents live in memory only.
// SIGTERM runs Hocuspocus' own shutdown, which stores every loaded document.
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';

const file = process.env.HOCUSPOCUS_SQLITE;
const sqlite = file ? new SQLite({ database: file }) : null;
const server = new Server({
  port: 0,
  address: '127.0.0.1',
  quiet: true,
  extensions: sqlite ? [sqlite] : [],
});
await server.listen();
// extension-sqlite starts creating its table in onConfigure without waiting for it: a document
// fetched before the table exists fails to load and that socket never syncs (seen when the first
// client connects right after 'listening'). Announce 'listening' once the table is there.
if (sqlite) await new Promise((resolve, reject) => sqlite.db.run(sqlite.configuration.schema, (err) => (err ? reject(err) : resolve())));
console.log(JSON.stringify({ msg: 'listening', port: server.address.port }));
