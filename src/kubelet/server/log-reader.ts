/**
 * Serves a container's CRI-format log file the way `kubectl logs` asks for it (upstream's kuberuntime ReadLogs):
 * tailLines, sinceSeconds/sinceTime, timestamps, limitBytes, and follow until the container stops running.
 */
import { open } from 'node:fs/promises';
import { parseCriLogLine, type CriLogEntry } from '../runtimes/common/cri-log.js';
import { sleep } from '../../util/wait.js';

export interface LogOptions {
  follow: boolean;
  tailLines?: number;
  /** Entries older than this (ms since the epoch) are skipped. */
  sinceMs?: number;
  timestamps: boolean;
  limitBytes?: number;
}

export class LogOptionsError extends Error {}

function nonNegativeInt(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new LogOptionsError(`invalid ${name}: ${raw}`);
  return n;
}

const isTrue = (v: string | null): boolean => v === 'true' || v === '1';

/** The query of `GET pods/x/log` (and the agent's /containerLogs), with `now` to resolve sinceSeconds. */
export function parseLogOptions(query: URLSearchParams, now: number): LogOptions {
  const opts: LogOptions = {
    follow: isTrue(query.get('follow')),
    timestamps: isTrue(query.get('timestamps')),
  };
  const tail = nonNegativeInt(query, 'tailLines');
  if (tail !== undefined) opts.tailLines = tail;
  const limit = nonNegativeInt(query, 'limitBytes');
  if (limit !== undefined) {
    if (limit === 0) throw new LogOptionsError('limitBytes: must be greater than 0');
    opts.limitBytes = limit;
  }
  const sinceSeconds = nonNegativeInt(query, 'sinceSeconds');
  const sinceTime = query.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime)
    throw new LogOptionsError('at most one of sinceTime or sinceSeconds may be specified');
  if (sinceSeconds !== undefined) {
    if (sinceSeconds === 0) throw new LogOptionsError('sinceSeconds: must be greater than 0');
    opts.sinceMs = now - sinceSeconds * 1000;
  } else if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new LogOptionsError(`invalid sinceTime: ${sinceTime}`);
    opts.sinceMs = t;
  }
  return opts;
}

/** Milliseconds of an RFC3339Nano stamp; sub-millisecond digits do not matter for since. */
function entryMs(e: CriLogEntry): number {
  return Date.parse(e.time.replace(/(\.\d{3})\d+/, '$1'));
}

/**
 * A log entry's time as the kubelet prints it with timestamps=true: UTC with nine fraction digits (runtimes such
 * as conmon write `+00:00` offsets).
 */
export function formatLogTime(time: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(time);
  if (!m) return time;
  const ms = Date.parse(`${m[1]}${m[3]!.toUpperCase()}`);
  if (Number.isNaN(ms)) return time;
  const fraction = (m[2] ?? '').slice(0, 9).padEnd(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Applies since, timestamps and the byte limit to entries; `write` returns false once the limit is reached. */
export class LogFormatter {
  private written = 0;
  constructor(
    private readonly opts: LogOptions,
    private readonly out: (chunk: string) => void,
  ) {}

  /** False when the byte limit is used up (stop reading). */
  write(e: CriLogEntry): boolean {
    if (this.opts.sinceMs !== undefined && entryMs(e) < this.opts.sinceMs) return true;
    let text = e.partial ? e.message : `${e.message}\n`;
    if (this.opts.timestamps) text = `${formatLogTime(e.time)} ${text}`;
    if (this.opts.limitBytes !== undefined) {
      const left = this.opts.limitBytes - this.written;
      const buf = Buffer.from(text);
      if (buf.length >= left) {
        this.out(buf.subarray(0, left).toString('utf8'));
        this.written = this.opts.limitBytes;
        return false;
      }
    }
    this.written += Buffer.byteLength(text);
    this.out(text);
    return true;
  }
}

/** Entries of whole lines of `text`; the unterminated tail is returned to be continued. */
export function parseEntries(text: string): { entries: CriLogEntry[]; rest: string } {
  const end = text.lastIndexOf('\n');
  const entries: CriLogEntry[] = [];
  for (const line of text.slice(0, end + 1).split('\n')) {
    const e = parseCriLogLine(line);
    if (e) entries.push(e);
  }
  return { entries, rest: text.slice(end + 1) };
}

/**
 * The last `n` lines of entries, counting a line as a run of partial entries ended by a full one (a tty or a
 * long line splits one line across entries).
 */
export function tailEntries(entries: CriLogEntry[], n: number): CriLogEntry[] {
  if (n === 0) return [];
  let lines = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (!entries[i]!.partial && ++lines > n) return entries.slice(i + 1);
  }
  return entries;
}

export interface ReadLogsDeps {
  /** Still producing output? Polled while following. */
  running(): Promise<boolean>;
  signal?: AbortSignal;
  pollMs?: number;
}

/** Writes the file's log per opts to `out`; with follow, keeps reading until the container stops or signal aborts. */
export async function readLogs(
  file: string,
  opts: LogOptions,
  out: (chunk: string) => void,
  deps: ReadLogsDeps,
): Promise<void> {
  const fh = await open(file, 'r');
  try {
    const formatter = new LogFormatter(opts, out);
    let offset = 0;
    let carry = '';
    let first = true;
    for (;;) {
      if (deps.signal?.aborted) return;
      const { size } = await fh.stat();
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        offset += bytesRead;
        const parsed = parseEntries(carry + buf.subarray(0, bytesRead).toString('utf8'));
        carry = parsed.rest;
        let entries = parsed.entries;
        if (first && opts.tailLines !== undefined) entries = tailEntries(entries, opts.tailLines);
        first = false;
        for (const e of entries) if (!formatter.write(e)) return;
        continue;
      }
      first = false;
      if (!opts.follow) return;
      // Read once more after the container stopped: its last lines may have landed meanwhile.
      if (!(await deps.running())) {
        const { size: last } = await fh.stat();
        if (last <= offset) return;
        continue;
      }
      await sleep(deps.pollMs ?? 100);
    }
  } finally {
    await fh.close();
  }
}
