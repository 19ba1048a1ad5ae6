import { performance } from 'node:perf_hooks';
import { connect, createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import type { ApiTarget } from './http-client.js';

/**
 * Splits an HTTP/1.1 chunked body into its lines (a watch sends one JSON event per line), however the chunks and
 * the lines fall across reads.
 */
export class ChunkedLineDecoder {
  /** Bytes of the current chunk still to come; -1 while reading a size line, -2 while expecting its CRLF. */
  private remaining = -1;
  private sizeText = '';
  private partial: Buffer[] = [];
  ended = false;

  constructor(private readonly onLine: (line: Buffer) => void) {}

  push(data: Buffer): void {
    let i = 0;
    while (i < data.length && !this.ended) {
      if (this.remaining === -1) {
        const nl = data.indexOf(10, i);
        if (nl < 0) {
          this.sizeText += data.toString('latin1', i);
          return;
        }
        this.sizeText += data.toString('latin1', i, nl);
        i = nl + 1;
        const size = parseInt(this.sizeText, 16);
        this.sizeText = '';
        if (!Number.isInteger(size) || size < 0) throw new Error('malformed chunk size');
        if (size === 0) this.ended = true;
        else this.remaining = size;
      } else if (this.remaining === -2) {
        // The CRLF after a chunk's data: skip up to and including its LF.
        const nl = data.indexOf(10, i);
        if (nl < 0) return;
        i = nl + 1;
        this.remaining = -1;
      } else {
        const end = Math.min(data.length, i + this.remaining);
        this.body(data.subarray(i, end));
        this.remaining -= end - i;
        i = end;
        if (this.remaining === 0) this.remaining = -2;
      }
    }
  }

  private body(part: Buffer): void {
    let start = 0;
    for (let nl = part.indexOf(10); nl >= 0; nl = part.indexOf(10, start)) {
      const piece = part.subarray(start, nl);
      if (this.partial.length > 0) {
        this.partial.push(piece);
        this.onLine(Buffer.concat(this.partial));
        this.partial = [];
      } else if (piece.length > 0) this.onLine(piece);
      start = nl + 1;
    }
    if (start < part.length) this.partial.push(Buffer.from(part.subarray(start)));
  }
}

/** One TLS context per CA: building it for each of a thousand connections costs more than their handshakes. */
const contexts = new Map<string, SecureContext>();

/**
 * Opens one watch on its own TLS connection and hands each event line to `onLine` with the time the socket read
 * that completed it was handled. A bare socket and a chunked-body decoder rather than an HTTP client: nothing
 * between the read and the timestamp but the TLS layer. (Measured with a thousand watchers, the load generator's
 * CPU is mostly TLS and socket reads either way.)
 */
export function openWatchStream(
  target: ApiTarget,
  path: string,
  onLine: (line: Buffer, at: number) => void,
): Promise<{ close(): void }> {
  const url = new URL(target.url);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    let decoder: ChunkedLineDecoder | undefined;
    let at = 0;
    let secureContext = contexts.get(target.ca);
    if (!secureContext) contexts.set(target.ca, (secureContext = createSecureContext({ ca: target.ca })));
    const socket: TLSSocket = connect({ host: url.hostname, port: Number(url.port), secureContext }, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${target.token}\r\n` +
          'Accept: application/json\r\n\r\n',
      );
    });
    const fail = (err: Error): void => {
      socket.destroy();
      reject(err);
    };
    socket.setNoDelay(true);
    socket.on('error', fail);
    socket.on('data', (data: Buffer) => {
      at = performance.now();
      if (decoder) {
        decoder.push(data);
        return;
      }
      head = Buffer.concat([head, data]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = head.toString('latin1', 0, end);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1]);
      if (status !== 200 || !/\r\ntransfer-encoding: chunked/i.test(headers)) {
        fail(
          new Error(`GET ${path}: ${headers.split('\r\n')[0]} ${head.toString('utf8', end + 4, end + 200)}`),
        );
        return;
      }
      decoder = new ChunkedLineDecoder((line) => onLine(line, at));
      socket.off('error', fail);
      socket.on('error', () => {});
      resolve({ close: () => socket.destroy() });
      decoder.push(head.subarray(end + 4));
    });
  });
}
