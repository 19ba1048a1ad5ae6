import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { ApiServerConfig, Authenticator } from '../../src/apiserver/config.js';
import { ApiClient } from '../../src/client/index.js';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.js';
import { MemoryStore } from '../../src/store/memory/memory-store.js';
import type { Store } from '../../src/store/types.js';

/** Treats every request as the cluster admin (tests over plain HTTP, where kubectl sends no credentials). */
export const adminAuthenticator: Authenticator = {
  authenticate: () => ({ username: 'admin', groups: ['system:masters', 'system:authenticated'] }),
};

export interface TestServer {
  url: string;
  server: RunningApiServer;
  store: Store;
  /** A kubeconfig file for kubectl pointing at this server. */
  kubeconfig: string;
  dir: string;
  close(): Promise<void>;
}

export async function startTestServer(
  opts: {
    store?: Store;
    watchCacheSize?: number;
    watchMaxPendingBytes?: number;
    eventTtlMs?: number;
    authenticator?: Authenticator;
    /** Enables service account tokens and the ServiceAccount admission plugin. */
    serviceAccount?: ApiServerConfig['serviceAccount'];
    /** Admits node agents (the join endpoints). */
    nodeJoin?: ApiServerConfig['nodeJoin'];
    /** false: no `tugboat` IngressClass at start. */
    ingressClass?: boolean;
    /** Serve HTTPS with this material; client certificates then authenticate too (`kubeconfig` has no CA). */
    tls?: ApiServerConfig['tls'];
    /** Audit requests by this policy into this sink. */
    audit?: ApiServerConfig['audit'];
  } = {},
): Promise<TestServer> {
  const store = opts.store ?? new MemoryStore();
  const server = await startApiServer({
    bindAddress: '127.0.0.1',
    port: 0,
    authenticator: opts.authenticator ?? adminAuthenticator,
    ...(opts.serviceAccount ? { serviceAccount: opts.serviceAccount } : {}),
    ...(opts.nodeJoin ? { nodeJoin: opts.nodeJoin } : {}),
    ...(opts.ingressClass === undefined ? {} : { ingressClass: opts.ingressClass }),
    ...(opts.tls ? { tls: opts.tls } : {}),
    ...(opts.audit ? { audit: opts.audit } : {}),
    store,
    serviceCIDR: '10.43.0.0/16',
    ...(opts.watchCacheSize ? { watchCacheSize: opts.watchCacheSize } : {}),
    ...(opts.watchMaxPendingBytes ? { watchMaxPendingBytes: opts.watchMaxPendingBytes } : {}),
    ...(opts.eventTtlMs ? { eventTtlMs: opts.eventTtlMs } : {}),
  });
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${server.port}`;
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${url}
contexts:
- name: test
  context:
    cluster: test
    user: test
    namespace: default
current-context: test
users:
- name: test
  user: {}
`,
  );
  return {
    url,
    server,
    store,
    kubeconfig,
    dir,
    close: async () => {
      await server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A test server and an admin client for one file's tests: started before them, closed after them. */
export function serverForTests(opts: Parameters<typeof startTestServer>[0] = {}): {
  readonly server: TestServer;
  readonly client: ApiClient;
} {
  const held: { server?: TestServer; client?: ApiClient } = {};
  before(async () => {
    held.server = await startTestServer(opts);
    held.client = new ApiClient({ server: held.server.url });
  });
  after(async () => {
    held.client?.close();
    await held.server?.close();
  });
  return {
    get server() {
      if (!held.server) throw new Error('the test server starts in before()');
      return held.server;
    },
    get client() {
      if (!held.client) throw new Error('the test server starts in before()');
      return held.client;
    },
  };
}
