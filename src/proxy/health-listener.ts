/** Plain-HTTP listeners for the proxy's health endpoints (its own and the Services' health check ports). */
import type { Server } from 'node:http';

/** Listens, rejecting when the port cannot be opened; a balancer's checks are short-lived, so idle
 * connections are kept only a few seconds. */
export function listenHealth(server: Server, address: { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address.host, port: address.port }, () => {
      server.off('error', reject);
      server.keepAliveTimeout = 5_000;
      resolve();
    });
  });
}

/** Stops listening and drops open connections. */
export function closeHealth(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
