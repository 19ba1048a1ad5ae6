/**
 * Entry point of an API worker process: a second API server over the main process's store, serving on a copy
 * of its listening socket, so that requests use a core the main process's event loop cannot. Reads and writes
 * go to the main process's store by message (it stays the only writer and the only source of revisions);
 * every request's own work (TLS, HTTP, authentication, authorization, admission, validation, encoding) is
 * this process's. It exits when the main process goes.
 */
import type { PodSecurityConfig } from '../apiserver/podsecurity/config.js';
import type { AuditPolicy } from '../apiserver/audit/policy.js';
import type { KubeletClientTls } from '../apiserver/streaming/pod-target.js';
import type { ApiServerConfig, TlsMaterial } from '../apiserver/config.js';
import type { NodeUsagePoint, PodUsagePoint } from '../apiserver/metrics/provider.js';
import { IpcRpc } from '../util/ipc-rpc.js';
import type { Auditor } from '../apiserver/audit/auditor.js';
import { createLogger, type LogLevel } from '../util/logger.js';

export interface ApiWorkerData {
  tls: TlsMaterial;
  tokenFile: string;
  kubeletClient: KubeletClientTls;
  serviceAccountKeyPem: string;
  serviceCIDR: string;
  advertiseAddress: string;
  bindAddress: string;
  port: number;
  tolerations: DefaultTolerations;
  podSecurity?: PodSecurityConfig;
  /** The audit policy; the worker's events go to the main process's backends. */
  auditPolicy?: AuditPolicy;
  logLevel: LogLevel;
}

export type DefaultTolerations = Pick<
  ApiServerConfig,
  'defaultNotReadyTolerationSeconds' | 'defaultUnreachableTolerationSeconds'
>;

/** The first message from the main process carries the listening socket. */
export type ApiWorkerControl = { type: 'start'; data: ApiWorkerData } | { type: 'stop' };
export type ApiWorkerReport = { type: 'started' } | { type: 'failed'; error: string };

/** Audits this process's requests into the main process's log. */
async function workerAuditor(
  policy: AuditPolicy,
  rpc: IpcRpc,
  log: ReturnType<typeof createLogger>,
): Promise<Auditor> {
  const [{ Auditor }, { JsonSink }] = await Promise.all([
    import('../apiserver/audit/auditor.js'),
    import('../apiserver/audit/backends.js'),
  ]);
  const sink = new JsonSink((json) => {
    rpc
      .call('audit.event', json)
      .catch((err: unknown) => log.warn('audit event lost', { error: String(err) }));
  });
  return new Auditor(policy, sink);
}

function report(message: ApiWorkerReport): void {
  process.send?.(message);
}

async function start(data: ApiWorkerData, handle: object): Promise<void> {
  const log = createLogger('tugboat', data.logLevel).child(`api-worker-${process.pid}`);
  const [
    { startApiServer },
    { createAuthenticator },
    { RpcStore, reviveStoreError },
    { RemoteServiceAddresses },
  ] = await Promise.all([
    import('../apiserver/index.js'),
    import('../apiserver/auth/authenticator.js'),
    import('../store/remote/rpc-store.js'),
    import('../apiserver/services/remote-addresses.js'),
  ]);
  const rpc = new IpcRpc(process as unknown as ConstructorParameters<typeof IpcRpc>[0], reviveStoreError);
  const store = new RpcStore(rpc);
  const audit = data.auditPolicy && (await workerAuditor(data.auditPolicy, rpc, log));
  const api = await startApiServer({
    bindAddress: data.bindAddress,
    port: data.port,
    listenHandle: handle,
    tls: data.tls,
    kubeletClient: data.kubeletClient,
    authenticator: createAuthenticator({ tokenFile: data.tokenFile }),
    serviceAccount: { signingKeyPem: data.serviceAccountKeyPem },
    store,
    serviceCIDR: data.serviceCIDR,
    advertiseAddress: data.advertiseAddress,
    ...data.tolerations,
    ...(data.podSecurity ? { podSecurity: data.podSecurity } : {}),
    ...(audit ? { audit } : {}),
    metrics: {
      getNodeMetrics: (names) => rpc.call<(NodeUsagePoint | undefined)[]>('metrics.nodes', names),
      getPodMetrics: (pods) => rpc.call<(PodUsagePoint | undefined)[]>('metrics.pods', pods),
    },
    replica: { services: new RemoteServiceAddresses(rpc) },
    logger: log,
  });
  process.on('message', (m: ApiWorkerControl) => {
    if (m.type !== 'stop') return;
    void api.close().finally(async () => {
      await store.close();
      process.exit(0);
    });
  });
  log.info('serving');
}

if (!process.send) throw new Error('api-worker must be started by the API server (with an IPC channel)');
// The main process went away (exited, killed): nothing is left to serve for.
process.on('disconnect', () => process.exit(0));
// A terminal's Ctrl-C (or a service manager's SIGTERM) reaches every process of the group; the main process
// decides how this one stops.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => {});
process.once('message', (m: ApiWorkerControl, handle: object) => {
  if (m.type !== 'start') return;
  start(m.data, handle).then(
    () => report({ type: 'started' }),
    (err: unknown) => {
      report({ type: 'failed', error: String((err as Error)?.stack ?? err) });
      process.exit(1);
    },
  );
});
