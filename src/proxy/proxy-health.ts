/**
 * The service proxy's own health, as kube-proxy serves it on `--healthz-bind-address` (0.0.0.0:10256): `/healthz`
 * and `/livez` answer 200 while the rules keep up with the Services and EndpointSlices (no change has waited for
 * a sync longer than twice the sync period) and 503 once one has; `/healthz` also answers 503 while the node is
 * being deleted or carries the cluster autoscaler's `ToBeDeletedByClusterAutoscaler` taint, so that a load
 * balancer checking it drains the node first. External load balancers of `externalTrafficPolicy: Cluster`
 * Services check this port. The bodies are upstream's, times in Go's `time.Time` text form.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { closeHealth, listenHealth } from './health-listener.js';

/** The taint the cluster autoscaler puts on a node before removing it. */
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

/** Whether the rules are current, and whether the node should still get traffic. */
export class ProxyHealth {
  private lastUpdated: number | undefined;
  private oldestPendingQueued: number | undefined;
  private nodeEligible = true;

  /** `timeoutMs`: how long a change may wait for a sync before the proxy counts as unhealthy. */
  constructor(
    readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  /** A change arrived that the rules do not reflect yet. */
  queuedUpdate(): void {
    this.oldestPendingQueued ??= this.clock.now();
  }

  /** The rules now reflect every change seen (also called once when syncing starts). */
  updated(): void {
    this.oldestPendingQueued = undefined;
    this.lastUpdated = this.clock.now();
  }

  /** A node being deleted or tainted for removal by the autoscaler is not eligible for traffic. */
  syncNode(node: Node): void {
    this.nodeEligible =
      !node.metadata?.deletionTimestamp &&
      !(node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
  }

  get eligible(): boolean {
    return this.nodeEligible;
  }

  /** The proxy's health alone (the node left out), as the health check node ports report it. */
  isHealthy(): boolean {
    return this.state().healthy;
  }

  /** Healthy until a queued change has waited `timeoutMs`; healthy while starting up. */
  state(): { healthy: boolean; lastUpdated: number | undefined } {
    const healthy =
      this.lastUpdated === undefined ||
      this.oldestPendingQueued === undefined ||
      this.clock.now() - this.oldestPendingQueued < this.timeoutMs;
    return { healthy, lastUpdated: this.lastUpdated };
  }
}

const PROCESS_START_MS = Date.now() - process.uptime() * 1000;

/** Go's `time.Time.String()` in UTC: `2024-05-07 10:00:00.25 +0000 UTC m=+12.000000000`; undefined is Go's zero time. */
export function goTimeString(ms: number | undefined): string {
  if (ms === undefined) return '0001-01-01 00:00:00 +0000 UTC';
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  // Times read from Go's clock carry their monotonic reading, seconds since the process started.
  const monotonic = ((ms - PROCESS_START_MS) / 1000).toFixed(9);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} +0000 UTC m=${Number(monotonic) < 0 ? '' : '+'}${monotonic}`;
}

/** The answer to `/healthz` (with the node's eligibility) or `/livez`: status and upstream's body. */
export function healthResponse(
  health: ProxyHealth,
  path: '/healthz' | '/livez',
): { status: number; body: string } {
  const now = health.clock.now();
  const state = health.state();
  const withNode = path === '/healthz';
  const healthy = state.healthy && (!withNode || health.eligible);
  // As upstream (for older clients): a healthy proxy reports the current time as its last update.
  const lastUpdated = JSON.stringify(goTimeString(healthy ? now : state.lastUpdated));
  const currentTime = JSON.stringify(goTimeString(now));
  const body = withNode
    ? `{"lastUpdated": ${lastUpdated},"currentTime": ${currentTime}, "nodeEligible": ${health.eligible}}`
    : `{"lastUpdated": ${lastUpdated},"currentTime": ${currentTime}}`;
  return { status: healthy ? 200 : 503, body };
}

/** Serves `/healthz` and `/livez` over plain HTTP; other paths get Go's 404. */
export class ProxyHealthServer {
  private server: Server | undefined;

  constructor(
    private readonly health: ProxyHealth,
    private readonly logger: Logger,
  ) {}

  /** Listens; a port that cannot be opened is logged and left closed (the proxy runs on without it). */
  async listen(address: { host: string; port: number }): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    try {
      await listenHealth(server, address);
    } catch (err) {
      this.logger.warn('cannot serve the proxy health endpoints', {
        address: `${address.host}:${address.port}`,
        error: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    this.server = server;
    this.logger.info('serving the proxy health endpoints', { address: `${address.host}:${this.port}` });
  }

  /** The port listened on, once listening. */
  get port(): number | undefined {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeHealth(server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== '/healthz' && path !== '/livez') {
      const notFound = '404 page not found\n';
      res.writeHead(404, {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
        'Content-Length': notFound.length,
      });
      res.end(notFound);
      return;
    }
    const { status, body } = healthResponse(this.health, path);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'X-Content-Type-Options': 'nosniff',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  }
}
