/**
 * The CRI container log format: one line per chunk, `<RFC3339Nano> <stdout|stderr> <F|P> <message>`,
 * where P marks a partial line continued by the next entry.
 */
import { open } from 'node:fs/promises';
import type { Clock } from '../../../util/clock.js';
import { sleep } from '../../../util/wait.js';

export type LogStream = 'stdout' | 'stderr';

/** Nanosecond precision is not available from the clock; milliseconds padded to nine digits keep the format. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** Splits output into CRI log lines; keeps an unterminated tail until more data or flush. */
export class CriLogWriter {
  private pending: Record<LogStream, string> = { stdout: '', stderr: '' };

  constructor(
    private readonly write: (line: string) => void,
    private readonly clock: Clock,
    private readonly maxPartial = 16 * 1024,
  ) {}

  push(stream: LogStream, data: string): void {
    let text = this.pending[stream] + data;
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      this.emit(stream, 'F', text.slice(0, nl));
      text = text.slice(nl + 1);
    }
    while (text.length >= this.maxPartial) {
      this.emit(stream, 'P', text.slice(0, this.maxPartial));
      text = text.slice(this.maxPartial);
    }
    this.pending[stream] = text;
  }

  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream]) this.emit(stream, 'F', this.pending[stream]);
      this.pending[stream] = '';
    }
  }

  private emit(stream: LogStream, tag: 'F' | 'P', message: string): void {
    this.write(`${rfc3339Nano(this.clock.now())} ${stream} ${tag} ${message}\n`);
  }
}

export interface CriLogEntry {
  time: string;
  stream: LogStream;
  partial: boolean;
  message: string;
}

export function parseCriLogLine(line: string): CriLogEntry | undefined {
  // [^] rather than `.`: a tty's messages end in \r, which `.` does not match.
  const m = /^(\S+) (stdout|stderr) ([FP]) ?([^]*)$/.exec(line);
  if (!m) return undefined;
  return { time: m[1]!, stream: m[2] as LogStream, partial: m[3] === 'P', message: m[4]! };
}

/** Reassembles the messages of a CRI log file's contents (partial entries joined, full ones end with a newline). */
export function readCriLog(contents: string): { stream: LogStream; text: string }[] {
  const out: { stream: LogStream; text: string }[] = [];
  for (const line of contents.split('\n')) {
    const e = parseCriLogLine(line);
    if (e) out.push({ stream: e.stream, text: e.partial ? e.message : `${e.message}\n` });
  }
  return out;
}

/**
 * Follows a CRI log file from startOffset (default: its current end), writing new messages to the streams until `done()` is true
 * (checked after each poll that found nothing new) or the signal aborts.
 */
export async function followCriLog(
  file: string,
  streams: { stdout: NodeJS.WritableStream | null; stderr: NodeJS.WritableStream | null },
  done: () => Promise<boolean>,
  signal?: AbortSignal,
  startOffset?: number,
  pollMs = 50,
): Promise<void> {
  const fh = await open(file, 'r');
  try {
    let offset = startOffset ?? (await fh.stat()).size;
    let carry = '';
    for (;;) {
      if (signal?.aborted) return;
      const { size } = await fh.stat();
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        await fh.read(buf, 0, buf.length, offset);
        offset = size;
        const text = carry + buf.toString('utf8');
        const end = text.lastIndexOf('\n');
        carry = text.slice(end + 1);
        for (const { stream, text: msg } of readCriLog(text.slice(0, end + 1))) {
          const target = stream === 'stderr' ? (streams.stderr ?? streams.stdout) : streams.stdout;
          target?.write(msg);
        }
        continue;
      }
      if (await done()) return;
      await sleep(pollMs);
    }
  } finally {
    await fh.close();
  }
}
