/**
 * The upgrade handler (exec, attach, port-forward), loaded on the first upgrade request: its WebSocket and SPDY
 * stacks cost the idle server a few MiB of heap that most servers never use.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ApiContext } from '../rest/context.js';
import type { KubeletClientTls } from './pod-target.js';
import type { UpgradeHandler } from './pod-stream.js';

export function createLazyUpgradeHandler(
  ctx: ApiContext,
  tls: () => KubeletClientTls | undefined,
): UpgradeHandler {
  let loading: Promise<UpgradeHandler> | undefined;
  let loaded: UpgradeHandler | undefined;
  /** Sockets that arrived while the module was loading: closeAll must reach them too. */
  const waiting = new Set<Socket>();
  const handler = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    if (loaded) return loaded(req, socket, head);
    socket.on('error', () => socket.destroy());
    waiting.add(socket);
    loading ??= import('./pod-stream.js').then((m) => (loaded = m.createUpgradeHandler(ctx, tls)));
    loading.then(
      (h) => {
        waiting.delete(socket);
        if (!socket.destroyed) h(req, socket, head);
      },
      (err: unknown) => {
        waiting.delete(socket);
        ctx.logger.error('loading the upgrade handler failed', { error: String(err) });
        socket.destroy();
      },
    );
  };
  return Object.assign(handler, {
    closeAll: () => {
      for (const socket of waiting) socket.destroy();
      loaded?.closeAll();
    },
  });
}
