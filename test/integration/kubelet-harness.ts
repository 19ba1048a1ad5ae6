/** A real API server, the fake CRI runtime and image service, and a Kubelet with short loop periods. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../src/api/errors.js';
import { ApiClient, R } from '../../src/client/index.js';
import { FakeImageService, FakeRuntimeService } from '../../src/kubelet/cri/fake/index.js';
import { Kubelet, type KubeletOptions } from '../../src/kubelet/index.js';
import type { Clock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';

export interface KubeletHarness {
  server: TestServer;
  client: ApiClient;
  runtime: FakeRuntimeService;
  images: FakeImageService;
  kubelet: Kubelet;
  nodeName: string;
  rootDir: string;
  createPod(name: string, spec: Partial<PodSpec>, extra?: Partial<Pod>): Promise<Pod>;
  getPod(name: string): Promise<Pod | undefined>;
  /** Waits until the pod (as read from the API) satisfies predicate; returns it. */
  waitPod(name: string, predicate: (p: Pod) => boolean, message?: string, timeoutMs?: number): Promise<Pod>;
  /** The runtime id of the newest container of that name in the pod. */
  containerId(pod: Pod, name: string): string | undefined;
  /** Stops the kubelet (containers keep running) and starts a new one on the same runtime and data dir. */
  restartKubelet(during?: () => Promise<void>): Promise<Kubelet>;
  close(): Promise<void>;
}

let seq = 0;

export async function startKubeletHarness(
  opts: {
    clock?: Clock;
    kubelet?: Partial<KubeletOptions>;
    start?: boolean;
    server?: Parameters<typeof startTestServer>[0];
    /** Bearer token of the harness's own (administrator's) client. */
    adminToken?: string;
    /** Bearer token the kubelet uses (a node identity, say) instead of the administrator's client. */
    kubeletToken?: string;
    nodeName?: string;
  } = {},
): Promise<KubeletHarness> {
  const server = await startTestServer(opts.server);
  const client = new ApiClient({
    server: server.url,
    userAgent: 'kubelet-test',
    ...(opts.adminToken ? { token: opts.adminToken } : {}),
  });
  const kubeletClient = opts.kubeletToken
    ? new ApiClient({ server: server.url, userAgent: 'kubelet-test', token: opts.kubeletToken })
    : client;
  const runtime = new FakeRuntimeService(opts.clock ? { clock: opts.clock } : {});
  const images = new FakeImageService();
  const rootDir = mkdtempSync(join(tmpdir(), `tugboat-kubelet-${process.pid}-`));
  const nodeName = opts.nodeName ?? `node-${process.pid}-${++seq}`;
  const makeKubelet = (): Kubelet =>
    new Kubelet({
      nodeName,
      client: kubeletClient,
      runtime,
      imageService: images,
      rootDir,
      logger: silentLogger,
      nodeIP: '192.0.2.10',
      hostDns: { servers: ['192.0.2.53'], searches: [], options: [] },
      relistMs: 100,
      resyncMs: 500,
      syncRetryMs: 100,
      maxSyncRetryMs: 300,
      statusIntervalMs: 200,
      leaseRenewMs: 200,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...opts.kubelet,
    });
  let kubelet = makeKubelet();
  if (opts.start !== false) await kubelet.start();
  const pods = client.resource<Pod>(R.pods);
  const getPod = async (name: string): Promise<Pod | undefined> => {
    try {
      return await pods.get('default', name);
    } catch (err) {
      if (hasReason(err, 'NotFound')) return undefined;
      throw err;
    }
  };
  const h: KubeletHarness = {
    server,
    client,
    runtime,
    images,
    kubelet,
    nodeName,
    rootDir,
    createPod: (name, spec, extra = {}) =>
      pods.create({
        ...extra,
        metadata: { name, namespace: 'default', ...extra.metadata },
        spec: { nodeName, containers: [], ...spec },
      }),
    getPod,
    waitPod: (name, predicate, message, timeoutMs = 10_000) =>
      waitFor(
        async () => {
          const p = await getPod(name);
          return p && predicate(p) ? p : undefined;
        },
        { timeoutMs, message: message ?? `pod ${name}` },
      ),
    containerId: (pod, name) => runtime.containersNamed(pod.metadata?.uid ?? '', name)[0]?.status.id,
    restartKubelet: async (during) => {
      await kubelet.stop();
      await during?.();
      kubelet = makeKubelet();
      h.kubelet = kubelet;
      await kubelet.start();
      return kubelet;
    },
    close: async () => {
      await kubelet.stop();
      client.close();
      if (kubeletClient !== client) kubeletClient.close();
      await server.close();
      rmSync(rootDir, { recursive: true, force: true });
    },
  };
  return h;
}

export const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type);
export const cstatus = (p: Pod, name: string) =>
  [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].find(
    (s) => s.name === name,
  );
