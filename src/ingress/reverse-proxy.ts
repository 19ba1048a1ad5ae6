/**
 * Forwards one HTTP request, or one connection upgrade (WebSocket), to a backend endpoint: the Host header and
 * body pass unchanged, hop-by-hop headers are dropped, and the `X-Forwarded-*` and `X-Real-Ip` headers tell the
 * backend who asked and how. Bodies stream both ways. A backend that cannot be reached gets the client a 502, one
 * that does not answer in time a 504.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { endToEndHeaders } from '../util/hop-by-hop.js';
import { relayUpgrade } from '../util/upgrade-relay.js';
import type { Endpoint } from './backends.js';

export interface ForwardOptions {
  /** Whether the client came over TLS (X-Forwarded-Proto). */
  secure: boolean;
  /** The port the client connected to (X-Forwarded-Port). */
  localPort: number;
  agent: http.Agent;
  /** How long the backend may take to start answering. */
  timeoutMs: number;
}

/** The request's headers as the backend gets them. */
export function forwardedHeaders(req: IncomingMessage, opts: ForwardOptions): OutgoingHttpHeaders {
  const headers = endToEndHeaders(req.headers);
  const client = clientAddress(req.socket);
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = opts.secure ? 'https' : 'http';
  headers['x-forwarded-port'] = String(opts.localPort);
  headers['x-real-ip'] = client;
  return headers;
}

/** Sends the request to `target` and its answer back to the client. */
export function forwardRequest(
  req: IncomingMessage,
  res: ServerResponse,
  target: Endpoint,
  opts: ForwardOptions,
): void {
  const upstream = http.request({
    host: target.ip,
    port: target.port,
    method: req.method,
    path: req.url,
    headers: forwardedHeaders(req, opts),
    agent: opts.agent,
    timeout: opts.timeoutMs,
  });
  upstream.on('response', (answer) => {
    // Once the answer has begun, the socket's idle timeout is the client's business, not ours.
    upstream.setTimeout(0);
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.headers));
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  upstream.on('timeout', () => upstream.destroy(new GatewayTimeout()));
  upstream.on('error', (err) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const timedOut = err instanceof GatewayTimeout;
    sendText(res, timedOut ? 504 : 502, timedOut ? 'Gateway Timeout' : 'Bad Gateway');
  });
  // A client that goes away takes the backend request with it.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

/** Relays an upgrade request (WebSocket and the like) and then the raw bytes both ways. */
export function forwardUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  target: Endpoint,
  opts: ForwardOptions,
): void {
  const headers = forwardedHeaders(req, opts);
  headers.connection = 'Upgrade';
  if (req.headers.upgrade) headers.upgrade = req.headers.upgrade;
  const upstream = http.request({
    host: target.ip,
    port: target.port,
    method: req.method,
    path: req.url,
    headers,
    timeout: opts.timeoutMs,
  });
  upstream.on('timeout', () => upstream.destroy(new GatewayTimeout()));
  relayUpgrade(upstream, client, head, (err) => {
    const timedOut = err instanceof GatewayTimeout;
    writeRawText(client, timedOut ? 504 : 502, timedOut ? 'Gateway Timeout' : 'Bad Gateway');
  });
  req.pipe(upstream);
}

/** A short plain-text answer. */
export function sendText(res: ServerResponse, status: number, text: string): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** The same on a socket that has left HTTP (an upgrade request). */
export function writeRawText(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

class GatewayTimeout extends Error {}

function clientAddress(socket: Socket): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}
