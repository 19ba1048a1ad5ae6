import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  ApiClient,
  EventRecorder,
  Informer,
  InformerFactory,
  R,
  type ClientConfig,
} from '../../src/client/index.js';
import type { ControllerContext, ControllerFactory, ControllerOptions } from '../../src/controllers/index.js';
import { startControllers } from '../../src/controllers/manager.js';
import { realClock, rfc3339, type Clock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { startTestServer, type TestServer } from './api-server.js';

export interface TestCluster {
  server: TestServer;
  client: ApiClient;
  ctx: ControllerContext;
  close(): Promise<void>;
}

/**
 * An API server on port 0 plus the given controllers (no leader election), all in this process. The clock is
 * the controllers' clock (inject a FakeClock to drive time-based behaviour).
 */
export async function startTestCluster(
  controllers: Record<string, ControllerFactory>,
  opts: {
    clock?: Clock;
    options?: ControllerOptions;
    server?: Parameters<typeof startTestServer>[0];
    /** Bearer token of the controllers' client (servers with a real authenticator). */
    token?: string;
    /** More of the controllers' client configuration (a CA and a client certificate for a TLS server). */
    client?: Omit<ClientConfig, 'server'>;
  } = {},
): Promise<TestCluster> {
  const server = await startTestServer(opts.server);
  const client = new ApiClient({
    server: server.url,
    userAgent: 'tugboat-test-controllers',
    ...(opts.token ? { token: opts.token } : {}),
    ...opts.client,
  });
  const clock = opts.clock ?? realClock;
  const ctx: ControllerContext = {
    client,
    informers: new InformerFactory(client),
    clock,
    logger: silentLogger,
    options: opts.options ?? {},
    events: (component) => new EventRecorder(client, component, { clock }),
  };
  const running = await startControllers(ctx, controllers, silentLogger);
  return {
    server,
    client,
    ctx,
    close: async () => {
      await running.stop();
      client.close();
      await server.close();
    },
  };
}

/**
 * Stands in for scheduler + kubelet in controller tests: every pod that appears is bound to `nodeName` and moved
 * to Running and Ready (unless `ready(pod)` says otherwise); graceful deletions are confirmed at once. Returns a
 * stop function.
 */
export function simulateKubelet(
  client: ApiClient,
  opts: { nodeName?: string; ready?: (pod: Pod) => boolean; clock?: Clock } = {},
): () => void {
  const pods = client.resource<Pod>(R.pods);
  const informer = new Informer<Pod>(pods);
  const clock = opts.clock ?? realClock;
  const handle = (pod: Pod): void => {
    if (pod.metadata?.deletionTimestamp) {
      // A kubelet confirms a graceful deletion once the containers are gone: here, at once.
      void pods
        .delete(pod.metadata.namespace ?? '', pod.metadata.name ?? '', { gracePeriodSeconds: 0 })
        .catch(() => {});
      return;
    }
    if (pod.status?.phase === 'Running') return;
    const ready = opts.ready ? opts.ready(pod) : true;
    const now = rfc3339(clock.now());
    const status = {
      phase: 'Running',
      podIP: '10.42.0.10',
      hostIP: '192.0.2.1',
      startTime: now,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
      ],
    };
    void (async () => {
      const ns = pod.metadata?.namespace ?? '';
      const name = pod.metadata?.name ?? '';
      if (!pod.spec?.nodeName) {
        await pods.createSubresource(ns, name, 'binding', {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name },
          target: { kind: 'Node', name: opts.nodeName ?? 'node-1' },
        });
      }
      await pods.patch(ns, name, 'merge', { status }, { subresource: 'status' });
    })().catch(() => {});
  };
  informer.addEventHandler({ add: handle, update: (_, p) => handle(p) });
  informer.start();
  return () => informer.stop();
}
