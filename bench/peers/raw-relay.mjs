// The physical limit: a websocket relay that forwards each frame to the room's other sockets and
// does nothing else (no parsing, no state, no storage). A room is the URL path without the query.
// Plain JavaScript on purpose: every peer starts without a TypeScript loader so that cold-start
// figures compare servers, not loaders.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const rooms = new Map();
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (socket, req) => {
  const room = (req.url ?? '/').split('?')[0];
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  members.add(socket);
  socket.on('message', (data, isBinary) => {
    for (const other of members) if (other !== socket && other.readyState === 1) other.send(data, { binary: isBinary });
  });
  socket.on('close', () => {
    members.delete(socket);
    if (members.size === 0) rooms.delete(room);
  });
  socket.on('error', () => socket.terminate());
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'listening', port: server.address().port }));
});
process.on('SIGTERM', () => process.exit(0));
