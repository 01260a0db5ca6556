/**
 * The websocket endpoints. The token is verified BEFORE the upgrade ([P3]: a bad token gets HTTP
 * 401 and no socket); then the socket is adapted to `RelaySocket` and handed to the relay core,
 * which checks every document against the principal ([P4]) and speaks the protocols.
 */
import type { Hono } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { WebSocket } from 'ws';
import { Code } from '@parley/core/protocol';
import type { AppDeps, AppEnv } from './app.js';
import { authenticate } from './authenticate.js';
import type { RelaySocket } from '../socket.js';
import type { ConnectionHandlers, ConnectionRequest } from './relay-port.js';
import { HttpError } from './errors.js';

type Upgrade = UpgradeWebSocket<WebSocket, { onError: (err: unknown) => void }>;

export function socketRoutes(app: Hono<AppEnv>, deps: AppDeps, upgradeWebSocket: Upgrade): void {
  const log = deps.log.child({ component: 'ws' });

  const connect = (requestOf: (principalPath: string) => (p: AppEnv['Variables']['principal']) => ConnectionRequest) =>
    upgradeWebSocket((c) => {
      const request = requestOf(c.req.path)(c.var.principal);
      let handlers: ConnectionHandlers | null = null;
      return {
        onOpen(_event, ws: WSContext<WebSocket>) {
          try {
            handlers = deps.relay.handleConnection(toRelaySocket(ws.raw!), request);
          } catch (err) {
            // A socket nobody handles would stay open forever; close it so the client retries.
            log.error('relay refused a connection', { endpoint: request.endpoint, err });
            ws.close(Code.internal, 'relay error');
          }
        },
        onMessage(event, ws) {
          if (!(event.data instanceof ArrayBuffer)) {
            // Both protocols are binary; a text frame means the peer speaks something else.
            ws.close(Code.badFrame, 'binary frames only');
            return;
          }
          handlers?.onMessage(new Uint8Array(event.data));
        },
        onClose() {
          handlers?.onClose();
          handlers = null;
        },
        onError(event) {
          log.warn('socket error', { endpoint: request.endpoint, err: (event as Event & { error?: unknown }).error });
        },
      };
    });

  const upgradeRequired = (): never => {
    throw new HttpError('bad_request', 'this endpoint speaks websocket only');
  };

  app.get('/mux', authenticate(deps.tokens), connect(() => (principal) => ({ endpoint: 'mux', principal })), upgradeRequired);
  // y-websocket puts the room name in the path: /sync/ws/acme/customers/c1/conv/k1
  app.get(
    '/sync/*',
    authenticate(deps.tokens),
    connect((path) => {
      // Not decoded: document names never contain '%', so an encoded name is simply not one ([P2], 4404).
      const doc = path.slice('/sync/'.length);
      return (principal) => ({ endpoint: 'sync', doc, principal });
    }),
    upgradeRequired,
  );
}

function toRelaySocket(raw: WebSocket): RelaySocket {
  return {
    send(data) {
      // A socket closing under us is not an error for the relay: the close handler follows.
      if (raw.readyState === raw.OPEN) raw.send(data);
    },
    close(code, reason) {
      // The websocket protocol caps close reasons at 123 bytes.
      raw.close(code, Buffer.from(reason).subarray(0, 123).toString());
    },
    get bufferedAmount() {
      return raw.bufferedAmount;
    },
  };
}
