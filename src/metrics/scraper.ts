import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Node } from 'kubernetes-types/core/v1.js';
import { ApiClient, Informer, R, stripManagedFields, type ClientConfig } from '../client/index.js';
import { realClock, type Clock } from '../util/clock.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { parsePrometheusText } from './prometheus.js';
import { MetricsStore, type NodePoint, type PodPoint } from './store.js';

export interface MetricsScraperOptions {
  client: ClientConfig;
  /** A node informer shared with other components of the thread (started and stopped by the scraper). */
  nodes?: Informer<Node>;
  /** Scrape period (metrics-server's --metric-resolution, 15 s). */
  intervalMs?: number;
  /** Per-node request timeout. */
  timeoutMs?: number;
  /** Nodes scraped at once. */
  concurrency?: number;
  clock?: Clock;
  logger?: Logger;
  /**
   * Client certificate and CA for node agents, which serve HTTPS and want the API server's kubelet client
   * certificate. Nodes labelled `node.kubernetes.io/instance-type: hollow` (and every node when this is unset)
   * are scraped over plain HTTP.
   */
  kubeletTls?: { caPem: string; certPem: string; keyPem: string };
}

/** Hollow nodes serve their metrics over plain HTTP. */
export function isHollow(node: Node): boolean {
  return node.metadata?.labels?.['node.kubernetes.io/instance-type'] === 'hollow';
}

/** The node's kubelet endpoint: its InternalIP (else first address) and daemonEndpoints port. */
export function kubeletAddress(node: Node): { host: string; port: number } | undefined {
  const addresses = node.status?.addresses ?? [];
  const host = (addresses.find((a) => a.type === 'InternalIP') ?? addresses[0])?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!host || !port) return undefined;
  return { host, port };
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Connections kept open between scrapes, as metrics-server keeps them to kubelets. */
interface Agents {
  http: Agent;
  https: HttpsAgent;
}

/** One GET of a node's kubelet endpoint. */
interface Fetch {
  host: string;
  port: number;
  path: string;
  timeoutMs: number;
  /** Client certificate for a real node agent; hollow nodes speak plain HTTP. */
  tls: MetricsScraperOptions['kubeletTls'] | undefined;
}

async function fetchText(agents: Agents, f: Fetch): Promise<string> {
  try {
    return await fetchOnce(agents, f);
  } catch (err) {
    // A kept connection the node closed just as it was reused: ask again on a new one.
    if (!(err instanceof StaleConnectionError)) throw err;
    return fetchOnce(agents, f);
  }
}

class StaleConnectionError extends Error {}

function fetchOnce(agents: Agents, { host, port, path, timeoutMs, tls }: Fetch): Promise<string> {
  return new Promise((resolve, reject) => {
    const common = { host, port, path };
    const get = (cb: (res: IncomingMessage) => void): ClientRequest =>
      tls
        ? httpsRequest(
            { ...common, agent: agents.https, ca: tls.caPem, cert: tls.certPem, key: tls.keyPem },
            cb,
          )
        : request({ ...common, agent: agents.http }, cb);
    const req = get((res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode === 200) resolve(Buffer.concat(chunks).toString('utf8'));
        else reject(new Error(`${path}: HTTP ${res.statusCode ?? 0}`));
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      reject(req.reusedSocket && err.code === 'ECONNRESET' ? new StaleConnectionError(err.message) : err);
    });
    // A timer cleared when the exchange ends, not AbortSignal.timeout: that one fires whatever happened and
    // builds a DOMException and an abort event each time, for every node every interval (7 % of the
    // control-plane thread at 5,000 idle hollow nodes).
    const timer = setTimeout(
      () => req.destroy(new Error(`${path}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

/**
 * A metrics-server: scrapes /metrics/resource of every Ready node every interval (a few at a time, each with
 * a timeout), keeps the latest window per node and pod, and answers the API server's metrics provider calls.
 */
export class MetricsScraper {
  readonly store = new MetricsStore();
  /** Only when the scraper keeps a node informer of its own. */
  private readonly client: ApiClient | undefined;
  private readonly nodes: Informer<Node>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly kubeletTls: MetricsScraperOptions['kubeletTls'];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private scrapes = 0;
  private readonly scrapeWaiters: (() => void)[] = [];
  private readonly agents: Agents;

  constructor(opts: MetricsScraperOptions) {
    if (opts.nodes) this.nodes = opts.nodes;
    else {
      this.client = new ApiClient({ userAgent: 'tugboat-metrics', ...opts.client });
      this.nodes = new Informer<Node>(this.client.resource<Node>(R.nodes), { transform: stripManagedFields });
    }
    this.clock = opts.clock ?? realClock;
    this.logger = opts.logger ?? silentLogger;
    this.intervalMs = opts.intervalMs ?? 15_000;
    this.timeoutMs = opts.timeoutMs ?? Math.min(10_000, this.intervalMs);
    this.concurrency = opts.concurrency ?? 16;
    this.kubeletTls = opts.kubeletTls;
    // An idle connection outlives the pause between two scrapes of its node (Node's default agent drops it
    // after 5 s): reconnecting to every node every round cost the API server's thread more than the scrape.
    const keepAlive = { keepAlive: true, timeout: 4 * this.intervalMs + this.timeoutMs };
    this.agents = { http: new Agent(keepAlive), https: new HttpsAgent(keepAlive) };
  }

  async start(): Promise<void> {
    this.nodes.start();
    await this.nodes.waitForSync();
    if (!this.stopped) this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.nodes.stop();
    await this.running;
    this.agents.http.destroy();
    this.agents.https.destroy();
    this.client?.close();
  }

  /** Resolves after `count` more complete scrape rounds (tests). */
  waitForScrapes(count = 1): Promise<void> {
    const target = this.scrapes + count;
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.scrapes >= target) resolve();
        else this.scrapeWaiters.push(check);
      };
      check();
    });
  }

  getNodeMetrics(names: string[]): (NodePoint | undefined)[] {
    return this.store.getNodeMetrics(names);
  }

  getPodMetrics(pods: { namespace: string; name: string }[]): (PodPoint | undefined)[] {
    return this.store.getPodMetrics(pods);
  }

  private tick(): void {
    if (this.stopped) return;
    // Rounds start every interval (as metrics-server's ticker), not an interval after the last one ended: with
    // thousands of nodes a round lasts seconds, and the pause between two scrapes of a node must stay below the
    // kept connection's idle timeout or every scrape reconnects.
    const startedMs = Date.now();
    this.running = this.scrapeAll()
      .catch((err: unknown) => this.logger.warn('scrape failed', { error: String(err) }))
      .finally(() => {
        this.scrapes++;
        for (const w of this.scrapeWaiters.splice(0)) w();
        if (this.stopped) return;
        this.timer = setTimeout(() => this.tick(), Math.max(0, startedMs + this.intervalMs - Date.now()));
      });
  }

  private async scrapeAll(): Promise<void> {
    const targets = this.nodes.list().filter(isReady);
    const wanted = new Set(targets.map((n) => n.metadata?.name ?? ''));
    for (const name of this.store.nodeNames()) if (!wanted.has(name)) this.store.drop(name);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length && !this.stopped) {
        const node = targets[next++]!;
        await this.scrapeNode(node);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, targets.length) }, worker));
  }

  private async scrapeNode(node: Node): Promise<void> {
    const name = node.metadata?.name ?? '';
    const address = kubeletAddress(node);
    if (!address) return;
    try {
      const tls = isHollow(node) ? undefined : this.kubeletTls;
      const text = await fetchText(this.agents, {
        ...address,
        path: '/metrics/resource',
        timeoutMs: this.timeoutMs,
        tls,
      });
      this.store.record(name, parsePrometheusText(text), this.clock.now());
    } catch (err) {
      this.logger.debug('node scrape failed', {
        node: name,
        error: err instanceof Error ? err.message : String(err),
      });
      this.store.drop(name);
    }
  }
}
