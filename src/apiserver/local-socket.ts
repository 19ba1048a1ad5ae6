import { chmodSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Authenticator, UserInfo } from './config.js';

export interface LocalSocketConfig {
  /** Unix socket path; its directory must be private to the server's user. */
  path: string;
  /** The user every request on the socket acts as. */
  user: UserInfo;
}

export interface LocalListener {
  /** The server's authenticator, extended to recognise the socket's connections. */
  authenticator: Authenticator;
  /** Starts listening (once the handler exists). */
  listen(handler: RequestListener): Promise<void>;
  close(): Promise<void>;
}

/**
 * A plain-HTTP API listener on a Unix socket for the server's own components (controller-manager and
 * scheduler thread, metrics pipeline): no TLS and no TCP stack on every request and watch event. Access is
 * the file system's: the socket is mode 0600 in the server's private directory, and whoever can open it is
 * `user`.
 */
export function localListener(config: LocalSocketConfig, inner: Authenticator): LocalListener {
  const sockets = new WeakSet<Socket>();
  let server: Server | undefined;
  return {
    authenticator: {
      authenticate(req: IncomingMessage) {
        if (sockets.has(req.socket)) return { ...config.user, groups: [...config.user.groups] };
        return inner.authenticate(req);
      },
    },
    async listen(handler) {
      const s = createServer({ maxHeaderSize: 1 << 20 }, handler);
      s.keepAliveTimeout = 65_000;
      s.requestTimeout = 0;
      s.on('connection', (socket: Socket) => sockets.add(socket));
      // A socket file left by a server that was killed would make listen fail with EADDRINUSE.
      rmSync(config.path, { force: true });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(config.path, () => {
          s.off('error', reject);
          resolve();
        });
      });
      chmodSync(config.path, 0o600);
      server = s;
    },
    async close() {
      const s = server;
      if (!s) return;
      const done = new Promise<void>((resolve) => s.close(() => resolve()));
      s.closeIdleConnections();
      const sweeper = setInterval(() => s.closeIdleConnections(), 50);
      await done;
      clearInterval(sweeper);
      rmSync(config.path, { force: true });
    },
  };
}
