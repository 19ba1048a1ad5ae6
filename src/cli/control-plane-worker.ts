/**
 * Entry point of the worker thread that runs the controller-manager, the scheduler and the metrics scraper
 * inside `tugboat server`, so they use the second core instead of competing with the API server's event loop.
 * They reach the API as clients, exactly as when they run as their own processes; the API server asks the
 * scraper for usage figures by message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Node } from 'kubernetes-types/core/v1.js';
import type { NodeUsagePoint, PodUsagePoint } from '../apiserver/metrics/provider.js';
import type { ClientConfig, SharedInformerPool, Stoppable } from '../client/index.js';
import type { ClusterSigningOptions } from '../controllers/index.js';
import { R } from '../client/index.js';
import { createLogger, type LogLevel } from '../util/logger.js';
import { DeferredMetricsProvider, startMetricsPipeline } from './metrics-pipeline.js';

export interface ControlPlaneWorkerData {
  client: ClientConfig;
  logLevel: LogLevel;
  controllerManager: boolean;
  scheduler: boolean;
  nodeMonitorGracePeriodMs?: number;
  /** Zone disruption tunables of the node lifecycle controller, by option name. */
  nodeDisruption?: Record<string, number>;
  hpaSyncPeriodMs?: number;
  clusterCidr?: string;
  /** The local-path provisioner's directory for nodes that publish none (`<data dir>/storage`). */
  localPathDir?: string;
  /**
   * Lease holder identity of the embedded components, stable across restarts of the same server (host and data
   * dir): after a crash the restarted server takes its leases back at once instead of waiting for them to expire.
   */
  leaseIdentity?: string;
  /** The cluster CA published in every namespace's kube-root-ca.crt ConfigMap. */
  rootCaPem?: string;
  /** Signs the legacy tokens of service-account-token Secrets. */
  serviceAccountKeyPem?: string;
  /** The CA that signs approved certificate signing requests (the csrsigning controller). */
  clusterSigning?: ClusterSigningOptions;
  /** Built-in controllers not to run, by name (`service-lb` with --disable-servicelb). */
  disabledControllers?: string[];
  /** Run the metrics scraper here (metrics-server's role). */
  metrics?: { intervalMs?: number; kubeletTls?: { caPem: string; certPem: string; keyPem: string } };
}

/** Messages the worker posts to the server thread. */
export type ControlPlaneWorkerMessage =
  | { type: 'started' }
  | { type: 'stopped' }
  | { type: 'metrics'; id: number; points: (NodeUsagePoint | PodUsagePoint | undefined)[] };

/** Messages the server thread posts to the worker. */
export type ControlPlaneRequest =
  | { type: 'stop' }
  | { type: 'node-metrics'; id: number; names: string[] }
  | { type: 'pod-metrics'; id: number; pods: { namespace: string; name: string }[] };

async function main(data: ControlPlaneWorkerData): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('control-plane-worker must run in a worker thread');
  const log = createLogger('tugboat', data.logLevel);
  const running: Stoppable[] = [];
  // Side by side in this thread, the two share their informers: one copy of every pod and node, one watch each.
  // The watches go through the controller-manager's client, as they did when each had its own.
  let sharedInformers: SharedInformerPool | undefined;
  if ([data.controllerManager, data.scheduler, data.metrics].filter(Boolean).length > 1) {
    const { ApiClient, SharedInformerPool, stripManagedFields } = await import('../client/index.js');
    const client = new ApiClient({ userAgent: 'tugboat-controller-manager', ...data.client });
    sharedInformers = new SharedInformerPool(client, {
      logger: log.child('informers'),
      transform: stripManagedFields,
    });
  }
  const shared = sharedInformers ? { sharedInformers } : {};
  if (data.controllerManager) {
    const { runControllerManager, builtinControllers } = await import('../controllers/index.js');
    const disabled = new Set(data.disabledControllers ?? []);
    running.push(
      runControllerManager({
        client: data.client,
        controllers: Object.fromEntries(
          Object.entries(builtinControllers).filter(([name]) => !disabled.has(name)),
        ),
        leaderElect: true,
        ...(data.leaseIdentity ? { leaseIdentity: data.leaseIdentity } : {}),
        logger: log.child('controller-manager'),
        ...shared,
        options: {
          ...data.nodeDisruption,
          ...(data.nodeMonitorGracePeriodMs === undefined
            ? {}
            : { nodeMonitorGracePeriodMs: data.nodeMonitorGracePeriodMs }),
          ...(data.hpaSyncPeriodMs === undefined ? {} : { hpaSyncPeriodMs: data.hpaSyncPeriodMs }),
          ...(data.clusterCidr === undefined ? {} : { clusterCidr: data.clusterCidr }),
          ...(data.localPathDir === undefined ? {} : { localPathDir: data.localPathDir }),
          ...(data.rootCaPem === undefined ? {} : { rootCaPem: data.rootCaPem }),
          ...(data.serviceAccountKeyPem === undefined
            ? {}
            : { serviceAccountKeyPem: data.serviceAccountKeyPem }),
          ...(data.clusterSigning === undefined ? {} : { clusterSigning: data.clusterSigning }),
        },
      }),
    );
  }
  if (data.scheduler) {
    const { runScheduler } = await import('../scheduler/index.js');
    running.push(
      runScheduler({
        client: data.client,
        leaderElect: true,
        ...(data.leaseIdentity ? { leaseIdentity: data.leaseIdentity } : {}),
        logger: log.child('scheduler'),
        ...shared,
      }),
    );
  }
  const metrics = new DeferredMetricsProvider();
  if (data.metrics) {
    running.push(
      await startMetricsPipeline(metrics, {
        client: data.client,
        logger: log.child('metrics'),
        ...data.metrics,
        ...(sharedInformers ? { nodes: sharedInformers.scoped<Node>(R.nodes) } : {}),
      }),
    );
  }
  port.postMessage({ type: 'started' } satisfies ControlPlaneWorkerMessage);
  type Points = Extract<ControlPlaneWorkerMessage, { type: 'metrics' }>['points'];
  const answer = (id: number, points: Points | Promise<Points>): void =>
    void Promise.resolve(points).then((p) =>
      port.postMessage({ type: 'metrics', id, points: p } satisfies ControlPlaneWorkerMessage),
    );
  const stop = (): void => {
    port.off('message', onRequest);
    void (async () => {
      for (const r of running) {
        try {
          await r.stop();
        } catch (err) {
          log.error('stopping a component failed', { error: String(err) });
        }
      }
      sharedInformers?.client.close();
      port.postMessage({ type: 'stopped' } satisfies ControlPlaneWorkerMessage);
      // Keep-alive sockets and timers of stopped clients must not keep the thread alive.
      process.exit(0);
    })();
  };
  const onRequest = (m: ControlPlaneRequest): void => {
    if (m.type === 'node-metrics') answer(m.id, metrics.getNodeMetrics(m.names));
    else if (m.type === 'pod-metrics') answer(m.id, metrics.getPodMetrics(m.pods));
    else stop();
  };
  port.on('message', onRequest);
}

await main(workerData as ControlPlaneWorkerData);
