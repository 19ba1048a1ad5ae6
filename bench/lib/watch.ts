import { performance } from 'node:perf_hooks';
import { forEachLimit } from './closed-loop.js';
import { configMap, configMapsPath, createNamespace } from './configmaps.js';
import type { CpuProfile } from './cpu-profile.js';
import { ApiClient, type ApiTarget } from './http-client.js';
import type { RemoteProfiler } from './inspector-profiler.js';
import { openWatchStream } from './watch-stream.js';
import { memoryOfTree } from './proc.js';
import { Samples, summarize, type LatencySummary } from './stats.js';

export interface WatchBenchOptions {
  target: ApiTarget;
  serverPid: number;
  namespace: string;
  watchers: number;
  writes: number;
  /** Creates in flight at once during the burst. */
  writeConcurrency: number;
  /**
   * Creates sent (and delivered to every watcher) before the measured burst, so that the fan-out path is
   * compiled and warm as in a server that has been running: the first burst in a process also pays the JIT.
   */
  warmupWrites?: number;
  /** Give up waiting for deliveries after this long. */
  timeoutMs: number;
  /** Profile the server during the burst. */
  profiler?: RemoteProfiler;
}

export interface WatchBenchResult {
  watchers: number;
  writes: number;
  /** Time to open every watch (TLS handshake included). */
  connectMs: number;
  /** Time from the first write until the last watcher had the last event. */
  burstMs: number;
  expected: number;
  delivered: number;
  /** Write (timestamp in the object) to arrival at one watcher, over every watcher and write. */
  perDelivery: LatencySummary;
  /** Write to arrival at the last of all watchers, one sample per write that reached all of them. */
  toAllWatchers: LatencySummary;
  serverRssWithWatchers?: number;
  profile?: CpuProfile;
}

const SEQ_FIELD = Buffer.from('"seq":"');
const SENT_AT_FIELD = Buffer.from('"sentAt":"');
const WARMUP_FIELD = Buffer.from('"warmup":"');

/**
 * The value of the last string member named by `field` (`"name":"`) in a JSON line, undecoded. Searched from the
 * end: the ConfigMap's data closes the event, after its metadata (managedFields included), so this reads a few
 * dozen bytes of a line rather than scanning its whole length for each field.
 */
export function stringField(line: Buffer, field: Buffer): string | undefined {
  const at = line.lastIndexOf(field);
  if (at < 0) return undefined;
  const start = at + field.length;
  const end = line.indexOf(0x22, start);
  return end < 0 ? undefined : line.toString('latin1', start, end);
}

const numeric = (text: string | undefined): number => (text ? Number(text) : NaN);

/**
 * Opens `watchers` watches on the ConfigMaps of one namespace, then creates `writes` ConfigMaps as fast as
 * `writeConcurrency` allows, each carrying its send time in data.sentAt; every watcher reads the time back out of
 * the event. Writer and watchers share this process's clock (performance.now()).
 */
export async function runWatchBench(opts: WatchBenchOptions): Promise<WatchBenchResult> {
  const writer = new ApiClient(opts.target, opts.writeConcurrency);
  const path = configMapsPath(opts.namespace);
  const perDelivery = new Samples();
  const counts = new Int32Array(opts.writes);
  const lastArrival = new Float64Array(opts.writes);
  const sentAt = new Float64Array(opts.writes);
  const expected = opts.watchers * opts.writes;
  let delivered = 0;
  let allIn: () => void = () => {};
  const allInPromise = new Promise<void>((resolve) => (allIn = resolve));
  const streams: { close(): void }[] = [];

  const warmupExpected = opts.watchers * (opts.warmupWrites ?? 0);
  let warmupDelivered = 0;
  let warmedUp: () => void = () => {};
  const warmedUpPromise = new Promise<void>((resolve) => (warmedUp = resolve));

  const onLine = (line: Buffer, at: number): void => {
    // Field extraction on the bytes rather than JSON.parse or regular expressions over a decoded string: the load
    // generator reads every event of every watcher on the server's machine and must not become the bottleneck.
    const sentText = stringField(line, SENT_AT_FIELD);
    if (sentText === undefined) {
      if (stringField(line, WARMUP_FIELD) !== undefined && ++warmupDelivered === warmupExpected) warmedUp();
      return;
    }
    const seq = numeric(stringField(line, SEQ_FIELD));
    const sent = numeric(sentText);
    if (!Number.isInteger(seq) || seq < 0 || seq >= opts.writes || Number.isNaN(sent)) return;
    perDelivery.push(at - sent);
    counts[seq]!++;
    if (at > lastArrival[seq]!) lastArrival[seq] = at;
    if (++delivered === expected) allIn();
  };

  try {
    await createNamespace(writer, opts.namespace);
    const list = await writer.call<{ metadata: { resourceVersion: string } }>('GET', `${path}?limit=1`);
    const rv = list.metadata.resourceVersion;
    // Open the writer's connections now: their TLS handshakes are not part of write-to-delivery latency.
    await forEachLimit(opts.writeConcurrency, opts.writeConcurrency, async () => {
      await writer.call('GET', `${path}?limit=1`);
    });
    const connectStart = performance.now();
    await forEachLimit(opts.watchers, 50, async () => {
      const stream = await openWatchStream(opts.target, `${path}?watch=true&resourceVersion=${rv}`, onLine);
      streams.push(stream);
    });
    const connectMs = performance.now() - connectStart;

    if (warmupExpected > 0) {
      await forEachLimit(opts.warmupWrites ?? 0, opts.writeConcurrency, async (i) => {
        await writer.call('POST', path, configMap(`warmup-${i}`, { warmup: 'true' }));
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([warmedUpPromise, new Promise((r) => (timer = setTimeout(r, opts.timeoutMs)))]);
      clearTimeout(timer);
    }

    await opts.profiler?.start();
    const burstStart = performance.now();
    await forEachLimit(opts.writes, opts.writeConcurrency, async (seq) => {
      const t = performance.now();
      sentAt[seq] = t;
      await writer.call('POST', path, configMap(`w-${seq}`, { seq: String(seq), sentAt: t.toFixed(3) }));
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([allInPromise, new Promise((r) => (timer = setTimeout(r, opts.timeoutMs)))]);
    clearTimeout(timer);
    const profile = await opts.profiler?.stop();
    const burstMs = delivered === 0 ? NaN : Math.max(...lastArrival) - burstStart;
    const serverMemory = memoryOfTree(opts.serverPid);

    const toAll = new Samples();
    for (let seq = 0; seq < opts.writes; seq++) {
      if (counts[seq] === opts.watchers) toAll.push(lastArrival[seq]! - sentAt[seq]!);
    }
    return {
      watchers: opts.watchers,
      writes: opts.writes,
      connectMs,
      burstMs,
      expected,
      delivered,
      perDelivery: summarize(perDelivery.values()),
      toAllWatchers: summarize(toAll.values()),
      ...(serverMemory ? { serverRssWithWatchers: serverMemory.rss } : {}),
      ...(profile ? { profile } : {}),
    };
  } finally {
    for (const s of streams) s.close();
    writer.close();
  }
}
