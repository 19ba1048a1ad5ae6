/** One exec or attach over a channel.k8s.io WebSocket: frames in to the runtime's streams, output and status out. */
import { PassThrough, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { RuntimeService } from '../cri/services.js';
import type { StreamOptions, TerminalSize } from '../cri/types.js';
import type { Logger } from '../../util/logger.js';
import {
  CLOSE,
  Queue,
  RESIZE,
  STATUS,
  STDERR,
  STDIN,
  STDOUT,
  V5_PROTOCOL,
  exitStatus,
  failureStatus,
  frame,
  parseResize,
  unframe,
} from './channel.js';

export interface StreamRequest {
  kind: 'exec' | 'attach';
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function channelWriter(ws: WebSocket, channel: number): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      if (ws.readyState !== ws.OPEN) return done();
      ws.send(frame(channel, chunk), { binary: true }, () => done());
    },
  });
}

/** Ends w (unless the runtime already did) and resolves once its queued writes are sent. */
function finished(w: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (w.writableFinished || w.destroyed) return resolve();
    w.once('finish', () => resolve());
    w.once('close', () => resolve());
    if (!w.writableEnded) w.end();
  });
}

export async function runStreamSession(
  ws: WebSocket,
  runtime: RuntimeService,
  containerId: string,
  req: StreamRequest,
  logger: Logger,
): Promise<void> {
  const v5 = ws.protocol === V5_PROTOCOL;
  const stdin = req.stdin ? new PassThrough() : null;
  const resize = new Queue<TerminalSize>();
  const abort = new AbortController();
  const stdout = req.stdout ? channelWriter(ws, STDOUT) : null;
  const stderr = req.stderr && !req.tty ? channelWriter(ws, STDERR) : null;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const msg = unframe(isBinary ? data : Buffer.from(data));
    if (!msg) return;
    if (msg.channel === STDIN) stdin?.write(msg.payload);
    else if (msg.channel === RESIZE) {
      const size = parseResize(msg.payload);
      if (size) resize.push(size);
    } else if (msg.channel === CLOSE && v5 && msg.payload[0] === STDIN) stdin?.end();
  });
  ws.on('close', () => {
    stdin?.end();
    resize.end();
    abort.abort();
  });
  const streams: StreamOptions = { stdin, stdout, stderr, tty: req.tty, resize, signal: abort.signal };
  let status: Record<string, unknown>;
  try {
    if (req.kind === 'exec') status = exitStatus(await runtime.exec(containerId, req.command, streams));
    else {
      await runtime.attach(containerId, streams);
      status = exitStatus(0);
    }
  } catch (err) {
    logger.debug(`${req.kind} failed`, { containerId, error: String(err) });
    status = failureStatus(err instanceof Error ? err.message : String(err));
  }
  resize.end();
  // Output the runtime wrote is queued on the writers; let it drain before the status.
  await Promise.all([stdout, stderr].map((w) => (w ? finished(w) : Promise.resolve())));
  if (ws.readyState !== ws.OPEN) return;
  ws.send(frame(STATUS, JSON.stringify(status)), { binary: true });
  ws.close(1000);
}
