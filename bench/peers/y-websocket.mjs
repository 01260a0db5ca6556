// y-websocket's reference server (@y/websocket-server 0.1.1) on port 0. Its own bin reads PORT but
// never prints the port it got, so this launcher does the same wiring through the package's public
// `setupWSConnection` and reports the port. LevelDB persistence is the package's own: it is on when
// the YPERSISTENCE env variable names a directory (read by the package when it loads).
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { getPersistence, setupWSConnection } from '@y/websocket-server/utils';

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('okay');
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
wss.on('connection', setupWSConnection);
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'listening', port: server.address().port }));
});
// y-websocket's own bin has no shutdown at all; closing LevelDB through y-leveldb's public `destroy`
// lets queued writes finish, so a restart measures what a careful operator would get.
process.on('SIGTERM', async () => {
  server.close();
  await getPersistence()?.provider.destroy();
  process.exit(0);
});
