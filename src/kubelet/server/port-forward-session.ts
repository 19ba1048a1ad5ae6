/**
 * The node agent's side of `kubectl port-forward` (upstream kubelet's httpstream handler): a SPDY/3.1 session
 * where the client opens, per forwarded local connection, an `error` and a `data` stream sharing a
 * `requestid` and naming the pod's `port`. Once both halves are there the data stream is connected to the port;
 * a failure is written to the error stream as text, and both streams are half-closed when forwarding ends, which
 * is what lets kubectl close its local connection.
 */
import type { Duplex } from 'node:stream';
import { silentLogger, type Logger } from '../../util/logger.js';
import { createSpdyConnection, writeEnded, type SpdyConnection, type SpdyStream } from './spdy.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** How long one stream of a pair waits for the other (upstream's stream creation timeout). */
export const DEFAULT_PAIR_TIMEOUT_MS = 30_000;

export interface PortForwardSessionOptions {
  /** Connects stream to port inside the pod; resolves when either side closed, rejects with why it failed. */
  forward(port: number, stream: Duplex): Promise<void>;
  /** `namespace/name` and uid, for the error text as upstream words it. */
  pod: string;
  podUid: string;
  logger?: Logger;
  pairTimeoutMs?: number;
}

interface StreamPair {
  requestId: string;
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** Why a stream's headers are refused (upstream's words), or undefined when they are valid. */
export function invalidStreamHeaders(headers: Record<string, string>): string | undefined {
  const port = headers.port;
  if (!port) return '"port" header is required';
  if (!/^\d+$/.test(port) || Number(port) > 65535) return `unable to parse "${port}" as a port`;
  if (Number(port) < 1) return `port "${port}" must be > 0`;
  const type = headers.streamtype;
  if (!type) return '"streamType" header is required';
  if (type !== 'error' && type !== 'data') return `invalid stream type "${type}"`;
  return undefined;
}

/** The stream's requestid; old clients sent none, and their error/data streams had consecutive odd ids. */
export function requestIdOf(stream: { id: number; headers: Record<string, string> }): string {
  const id = stream.headers.requestid;
  if (id) return id;
  return String(stream.headers.streamtype === 'data' ? stream.id - 2 : stream.id);
}

export function servePortForwardSession(socket: Duplex, opts: PortForwardSessionOptions): SpdyConnection {
  const logger = opts.logger ?? silentLogger;
  const pairTimeoutMs = opts.pairTimeoutMs ?? DEFAULT_PAIR_TIMEOUT_MS;
  const pairs = new Map<string, StreamPair>();
  const active = new Set<SpdyStream>();
  const conn = createSpdyConnection(socket, 'server');

  const timeOut = (pair: StreamPair): void => {
    pairs.delete(pair.requestId);
    const msg = `timed out waiting for streams of request ${pair.requestId}`;
    logger.warn('port-forward stream pair incomplete', { pod: opts.pod, requestId: pair.requestId });
    pair.error?.end(msg);
    pair.data?.abort();
  };

  const run = async (pair: StreamPair & { error: SpdyStream; data: SpdyStream }): Promise<void> => {
    const { error, data } = pair;
    const port = Number(data.headers.port);
    active.add(data);
    try {
      await opts.forward(port, data);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const msg = `error forwarding port ${port} to pod ${opts.pod}, uid ${opts.podUid}: ${reason}`;
      logger.debug('port-forward failed', { pod: opts.pod, port, error: reason });
      if (!writeEnded(error)) error.write(msg);
    } finally {
      active.delete(data);
      // Whatever the client still sends on the data stream is dropped.
      data.unpipe();
      data.resume();
      if (!writeEnded(data)) data.end();
      if (!writeEnded(error)) error.end();
    }
  };

  conn.on('stream', (stream) => {
    stream.on('error', () => {});
    const invalid = invalidStreamHeaders(stream.headers);
    if (invalid) {
      logger.warn('port-forward stream refused', { pod: opts.pod, reason: invalid });
      stream.abort('PROTOCOL_ERROR');
      return;
    }
    stream.respond(200, {});
    const requestId = requestIdOf(stream);
    const type = stream.headers.streamtype as 'error' | 'data';
    let pair = pairs.get(requestId);
    if (!pair) {
      pair = { requestId, timer: setTimeout(() => timeOut(pair!), pairTimeoutMs) };
      pair.timer.unref();
      pairs.set(requestId, pair);
    }
    if (pair[type]) {
      logger.warn('port-forward stream repeated', { pod: opts.pod, requestId, type });
      stream.abort('PROTOCOL_ERROR');
      return;
    }
    pair[type] = stream;
    // The client half-closes its error stream at once; reading it lets the stream close when we end ours.
    if (type === 'error') stream.resume();
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      void run(pair as StreamPair & { error: SpdyStream; data: SpdyStream });
    }
  });
  conn.on('error', (err) => {
    logger.debug('port-forward session error', { pod: opts.pod, error: err.message });
    socket.destroy();
  });
  conn.on('close', () => {
    for (const pair of pairs.values()) clearTimeout(pair.timer);
    pairs.clear();
    // destroy() tells the runtime's forwarder that the client is gone.
    for (const data of active) data.destroy();
    active.clear();
    socket.destroy();
  });
  return conn;
}
