/**
 * `pods/{name}/portforward`: kubectl's SPDY/3.1 session reaches the pod's node agent unchanged. The agent is
 * dialled with a plain `Upgrade: SPDY/3.1` request; kubectl's plain SPDY connection is then piped to it byte for
 * byte, and its WebSocket tunnel (subprotocol `SPDY/3.1+portforward.k8s.io`, binary messages carrying SPDY
 * bytes) is unwrapped into it.
 */
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer, createWebSocketStream } from 'ws';
import { ApiError, badRequest } from '../../api/errors.js';
import { PORT_FORWARD_PROTOCOL } from '../../kubelet/server/port-forward-session.js';
import { agentUnreachable, rejectWithAgentAnswer } from './agent-refusal.js';
import type { PodTarget, KubeletClientTls } from './pod-target.js';

/** The WebSocket subprotocol of kubectl's tunnel (kubectl ≥ 1.30). */
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

function headerList(value: string | string[] | undefined): string[] {
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/**
 * A WebSocket server for tunnels. `ws` refuses the subprotocol (`/` is no RFC 7230 token), so the request's
 * header is removed before the handshake and the answer's added back here.
 */
export function createTunnelServer(): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers) => headers.push(`Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`));
  return wss;
}

/** Opens a raw SPDY connection to the agent's port-forward endpoint of the pod. */
function dialAgent(target: Omit<PodTarget, 'container'>, tls: KubeletClientTls): Promise<Socket> {
  const meta = target.pod.metadata ?? {};
  const path =
    `/portForward/${encodeURIComponent(meta.namespace ?? '')}/${encodeURIComponent(meta.name ?? '')}` +
    (meta.uid ? `?uid=${encodeURIComponent(meta.uid)}` : '');
  return new Promise((resolve, reject) => {
    const req = request({
      host: target.host,
      port: target.port,
      method: 'POST',
      path,
      ca: tls.caPem,
      cert: tls.certPem,
      key: tls.keyPem,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'SPDY/3.1',
        'X-Stream-Protocol-Version': PORT_FORWARD_PROTOCOL,
        'Content-Length': '0',
      },
    });
    req.once('upgrade', (_res, socket: Socket, head: Buffer) => {
      socket.setNoDelay(true);
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('response', (res) => rejectWithAgentAnswer(res, reject));
    req.once('error', (err) => reject(agentUnreachable(err)));
    req.end();
  });
}

/** Checks the handshake kubectl chose, before the agent is dialled. */
export function checkPortForwardHandshake(req: IncomingMessage): 'websocket' | 'spdy' {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') {
    if (!headerList(req.headers['sec-websocket-protocol']).includes(TUNNEL_PROTOCOL))
      throw badRequest(`port-forward over WebSocket needs the subprotocol ${TUNNEL_PROTOCOL}`);
    return 'websocket';
  }
  if (upgrade !== 'spdy/3.1')
    throw badRequest('port-forward needs an Upgrade: SPDY/3.1 or WebSocket request');
  const offered = headerList(req.headers['x-stream-protocol-version']);
  if (!offered.includes(PORT_FORWARD_PROTOCOL))
    throw new ApiError(
      403,
      'Forbidden',
      `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${PORT_FORWARD_PROTOCOL}]`,
      { causes: [] },
    );
  return 'spdy';
}

export async function servePortForward(
  tunnels: WebSocketServer,
  tls: KubeletClientTls,
  target: Omit<PodTarget, 'container'>,
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
): Promise<void> {
  const mode = checkPortForwardHandshake(req);
  const agent = await dialAgent(target, tls);
  agent.on('error', () => agent.destroy());
  if (socket.destroyed) {
    agent.destroy();
    return;
  }
  socket.setNoDelay(true);
  if (mode === 'spdy') {
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
        `X-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`,
    );
    if (head.length > 0) agent.write(head);
    socket.pipe(agent);
    agent.pipe(socket);
    socket.once('close', () => agent.destroy());
    agent.once('close', () => socket.destroy());
    return;
  }
  delete req.headers['sec-websocket-protocol'];
  tunnels.handleUpgrade(req, socket, head, (ws) => bridge(ws, agent));
}

/**
 * Carries the tunnel's binary messages to the agent and the agent's bytes back as binary messages (ws's own
 * stream wrapper handles backpressure both ways); the agent closing ends the tunnel with 1000, as kubectl expects.
 */
function bridge(ws: WebSocket, agent: Socket): void {
  const tunnel = createWebSocketStream(ws);
  tunnel.on('error', () => agent.destroy());
  agent.pipe(tunnel, { end: false });
  tunnel.pipe(agent);
  agent.once('close', () => {
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  });
}
