/**
 * The channel.k8s.io WebSocket framing of exec and attach: every binary message starts with its channel byte.
 * v5 adds channel 255 (the client closed its stdin); v4 is the same framing without it.
 */
import type { IncomingMessage } from 'node:http';
import type { TerminalSize } from '../cri/types.js';

export const V5_PROTOCOL = 'v5.channel.k8s.io';
export const V4_PROTOCOL = 'v4.channel.k8s.io';
export const CHANNEL_PROTOCOLS = [V5_PROTOCOL, V4_PROTOCOL];

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const STATUS = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** The protocol to answer with, preferring v5; undefined when the client offers neither. */
export function pickProtocol(offered: Set<string>): string | undefined {
  return CHANNEL_PROTOCOLS.find((p) => offered.has(p));
}

/** The offered subprotocols of an upgrade request. */
export function offeredProtocols(req: IncomingMessage): Set<string> {
  const raw = req.headers['sec-websocket-protocol'];
  const list = (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',');
  return new Set(list.map((p) => p.trim()).filter((p) => p !== ''));
}

export function frame(channel: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from([channel]), body]);
}

export function unframe(message: Buffer): { channel: number; payload: Buffer } | undefined {
  if (message.length === 0) return undefined;
  return { channel: message[0]!, payload: message.subarray(1) };
}

/** The channel-3 Status of a finished command, as upstream's remotecommand writes it. */
export function exitStatus(exitCode: number): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command, exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

export function failureStatus(message: string): Record<string, unknown> {
  return { metadata: {}, status: 'Failure', message };
}

/** A channel-4 payload `{"Width":80,"Height":24}`; undefined when malformed. */
export function parseResize(payload: Buffer): TerminalSize | undefined {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { Width?: unknown; Height?: unknown };
    if (typeof v.Width !== 'number' || typeof v.Height !== 'number') return undefined;
    return { width: v.Width, height: v.Height };
  } catch {
    return undefined;
  }
}

/** An async iterable fed by push(); ends at end(). For resize events handed to the runtime. */
export class Queue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private ended = false;

  push(item: T): void {
    if (this.ended) return;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w({ value: item, done: false });
    } else this.items.push(item);
  }

  end(): void {
    this.ended = true;
    const w = this.waiting;
    this.waiting = undefined;
    w?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
    };
  }
}
