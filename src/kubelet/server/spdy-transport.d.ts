/** The small part of spdy-transport@3 (no published types) that the port-forward session uses. */
declare module 'spdy-transport' {
  import type { EventEmitter } from 'node:events';
  import type { Duplex } from 'node:stream';

  export interface ConnectionOptions {
    protocol: 'spdy' | 'http2';
    isServer: boolean;
    autoSpdy31?: boolean;
    windowSize?: number;
  }

  export interface RequestOptions {
    method?: string;
    path?: string;
    host?: string;
    headers?: Record<string, string>;
  }

  export interface Stream extends Duplex {
    readonly id: number;
    readonly headers: Record<string, string>;
    respond(status: number, headers: Record<string, string>, callback?: (err?: Error) => void): void;
    /** Sends RST_STREAM (default code CANCEL). */
    abort(code?: string, callback?: (err?: Error | null) => void): void;
    /** Resolves (client role) once the peer's SYN_REPLY arrived. */
    on(event: 'response', listener: (status: number, headers: Record<string, string>) => void): this;
    on(event: string | symbol, listener: (...args: any[]) => void): this;
  }

  export interface Connection extends EventEmitter {
    start(version: number): void;
    request(options: RequestOptions, callback?: (err: Error | null, stream: Stream) => void): Stream;
    ping(callback?: (err: Error | null) => void): void;
    /** Sends GOAWAY and closes once the streams drained. */
    end(callback?: () => void): void;
    destroyStreams(err?: Error): void;
    on(event: 'stream', listener: (stream: Stream) => void): this;
    on(event: 'ping', listener: (opaque: Buffer) => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: 'close', listener: (err?: Error) => void): this;
    on(event: string | symbol, listener: (...args: any[]) => void): this;
  }

  export interface SpdyParser {
    parseKVs: (
      this: SpdyParser,
      buffer: unknown,
      callback: (err: Error | null, headers?: Record<string, string>) => void,
    ) => void;
  }

  const transport: {
    connection: { create(socket: Duplex, options: ConnectionOptions): Connection };
    protocol: { spdy: { parser: { create(options: { isServer: boolean; window?: unknown }): SpdyParser } } };
  };
  export default transport;
}
