/**
 * SPDY/3.1 sessions as kubectl's port-forward speaks them, on spdy-transport. Kubernetes streams carry only
 * their own headers (streamtype, port, requestid), while spdy-transport's parser refuses a SYN_STREAM without
 * the HTTP pseudo-headers `:method` and `:path`; the shim below gives them defaults before that check.
 */
import type { Duplex } from 'node:stream';
import type SpdyTransport from 'spdy-transport';
import type { Connection, SpdyParser, Stream } from 'spdy-transport';
import { lazyRequire } from '../../util/lazy-require.js';

// Loaded with the first SPDY port-forward: exec, attach and WebSocket port-forwards never need it.
const transport = lazyRequire<typeof SpdyTransport>('spdy-transport');

export type SpdyConnection = Connection;
export type SpdyStream = Stream;

let shimmed = false;

function shimPseudoHeaders(): void {
  if (shimmed) return;
  shimmed = true;
  const proto = Object.getPrototypeOf(
    transport().protocol.spdy.parser.create({ isServer: true }),
  ) as SpdyParser;
  const parseKVs = proto.parseKVs;
  proto.parseKVs = function (this: SpdyParser, buffer, callback) {
    parseKVs.call(this, buffer, (err, headers) => {
      if (headers) {
        headers[':method'] ??= 'POST';
        headers[':path'] ??= '/';
      }
      callback(err, headers);
    });
  };
}

interface WindowSide {
  current: number;
  max: number;
  limit: number;
}

/**
 * kubectl's SPDY library (moby/spdystream) has no flow control: it never sends WINDOW_UPDATE, so after the
 * first 64 KiB towards it a flow-controlled sender would wait forever. Like upstream's kubelet, the server
 * sends without a window; a client that announces one in SETTINGS still gets it for its streams.
 */
function ignoreSendWindow(conn: SpdyConnection): void {
  const state = (conn as unknown as { _spdyState: Record<string, { send: WindowSide }> })._spdyState;
  for (const side of [state.window!.send, state.streamWindow!.send]) {
    side.current = side.max = Number.MAX_SAFE_INTEGER;
    side.limit = Infinity;
  }
}

/** A SPDY/3.1 session on an upgraded connection; the server role answers the client's streams. */
export function createSpdyConnection(socket: Duplex, role: 'server' | 'client'): SpdyConnection {
  shimPseudoHeaders();
  const conn = transport().connection.create(socket, {
    protocol: 'spdy',
    isServer: role === 'server',
    autoSpdy31: true,
  });
  if (role === 'server') ignoreSendWindow(conn);
  conn.start(3.1);
  return conn;
}

/** Whether end() was called; spdy-transport's streams (readable-stream 3) lack `writableEnded`. */
export function writeEnded(stream: SpdyStream): boolean {
  const state = (stream as unknown as { _writableState?: { ending?: boolean } })._writableState;
  return stream.writableEnded ?? state?.ending ?? false;
}
