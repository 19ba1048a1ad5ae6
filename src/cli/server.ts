import { mkdir } from 'node:fs/promises';
import type { AuditBackends } from '../apiserver/audit/backends.js';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createAuthenticator } from '../apiserver/auth/authenticator.js';
import { renderKubeconfig, writeKubeconfig } from '../apiserver/auth/kubeconfig.js';
import { issueNodeCredentials } from '../apiserver/auth/pki.js';
import { bootstrapClusterSecrets } from '../apiserver/bootstrap/cluster-secrets.js';
import { ensureTokenFile } from '../apiserver/auth/tokenfile.js';
import type { PodSecurityConfig } from '../apiserver/podsecurity/config.js';
import { secretsEncryptionConfigPath } from '../apiserver/encryption/secrets-encryption.js';
import { stableReplicaIdentity } from '../client/identity.js';
import type { ClientConfig, Stoppable } from '../client/index.js';
import type { Store } from '../store/types.js';
import { createLogger, type Logger } from '../util/logger.js';
import {
  loadOpenStore,
  loadStartApiServer,
  type OpenStore,
  type RunningApiServer,
  type StartApiServer,
} from './components.js';
import type { ApiWorkerData, DefaultTolerations } from './api-worker.js';
import type { ApiWorkers } from './api-workers.js';
import { startControlPlaneThread } from './control-plane-thread.js';
import { DeferredMetricsProvider, startMetricsPipeline } from './metrics-pipeline.js';
import { firstHostAddress, hostAddresses, hostName, parseCidr, primaryAddress } from './net.js';
import type { ServerOptions } from './server-options.js';
import {
  clusterSettings,
  createNodeJoin,
  importNodePasswords,
  resolveJoinToken,
  writeJoinToken,
} from './server-join.js';
import { agentNodeSettings } from './node-options.js';
import { watchSignals } from './signals.js';
import { tugboatVersion } from './version.js';

export interface ServerDeps {
  /** Default: openStore from the store module. */
  openStore?: OpenStore;
  /** Default: startApiServer from the API server module. */
  startApiServer?: StartApiServer;
  /** Resolves when the server should stop. Default: the first SIGTERM or SIGINT (a second one exits at once). */
  shutdown?: Promise<unknown>;
  logger?: Logger;
  /** Called once the API serves and the kubeconfig is written. */
  onReady?: (info: { port: number; server: string; kubeconfig: string }) => void;
}

/** Names every client may use to reach the API server, in-cluster ones included. */
const SERVICE_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];

/** Who the controller-manager, scheduler and metrics pipeline are on the local socket. */
const CONTROL_PLANE_USER = {
  username: 'system:tugboat-control-plane',
  groups: ['system:masters', 'system:authenticated'],
};
/** Unix socket paths longer than this do not fit in sockaddr_un; such a server uses loopback HTTPS instead. */
const MAX_SOCKET_PATH = 100;

/** Run `tugboat server` until shutdown; resolves to the exit code. */
export async function runServer(opts: ServerOptions, deps: ServerDeps = {}): Promise<number> {
  const log = deps.logger ?? createLogger('tugboat', opts.logLevel);
  const signals = deps.shutdown ? undefined : watchSignals(log);
  const shutdown = deps.shutdown ?? signals?.stopped;
  // A bug in one request's handling must not take the whole API down: log it loudly and keep serving.
  const onUnhandled = (reason: unknown): void => {
    log.error('unhandled rejection (a bug: please report it)', {
      error: String((reason as Error)?.stack ?? reason),
    });
  };
  if (!deps.shutdown) process.on('unhandledRejection', onUnhandled);
  let store: Store | undefined;
  let api: RunningApiServer | undefined;
  const components: Stoppable[] = [];
  let failure: Error | undefined;
  let componentFailed: (err: Error) => void = () => {};
  const failed = new Promise<void>((resolve) => {
    componentFailed = (err) => {
      failure ??= err;
      log.error(`a control-plane component died: ${err.message}`);
      resolve();
    };
  });
  try {
    log.info(`tugboat server v${tugboatVersion()} starting`, { dataDir: opts.dataDir });
    const serverDir = join(opts.dataDir, 'server');
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    await mkdir(serverDir, { recursive: true, mode: 0o700 });
    const socketPath = join(serverDir, 'api.sock');
    const localSocket = socketPath.length <= MAX_SOCKET_PATH ? socketPath : undefined;

    const specificBind = !isUnspecified(opts.bindAddress);
    const advertiseAddress =
      opts.advertiseAddress ??
      (specificBind && !isLoopback(opts.bindAddress) ? opts.bindAddress : primaryAddress());
    const serviceIp = firstHostAddress(parseCidr(opts.serviceCidr));

    // The store opens first: a server joining a cluster takes the cluster's CA and keys from it.
    await ensureSqliteDir(opts.datastoreEndpoint);
    const openStore = deps.openStore ?? (await loadOpenStore());
    store = await openStore(opts.datastoreEndpoint, { logger: log.child('store') });
    log.info('store open', { endpoint: redact(opts.datastoreEndpoint) });

    const joinToken = await resolveJoinToken(serverDir, opts.token);
    const { pki, serviceAccountKeyPem: serviceAccountKey } = await bootstrapClusterSecrets({
      store,
      serverDir,
      password: joinToken.password,
      pki: {
        hosts: [hostName(), ...SERVICE_NAMES, ...opts.tlsSan.filter((s) => !isIP(s))],
        ips: [
          ...hostAddresses(),
          serviceIp,
          advertiseAddress,
          ...(specificBind ? [opts.bindAddress] : []),
          ...opts.tlsSan.filter((s) => isIP(s)),
        ],
      },
      secretsEncryption: opts.secretsEncryption,
      logger: log.child('pki'),
    });
    await writeJoinToken(serverDir, pki.caCert, joinToken);

    const tokenFile = opts.tokenFile ?? join(serverDir, 'token');
    if (!opts.tokenFile) await ensureTokenFile(tokenFile);
    const authenticator = createAuthenticator({ tokenFile });
    log.info(`bearer tokens from ${tokenFile}`);

    const encryption = await loadEncryption(opts, serverDir, log);
    if (encryption) store = encryption(store, components);

    await importNodePasswords(serverDir, store, log.child('join'));
    const nodeJoin = createNodeJoin(opts, {
      pki,
      password: joinToken.password,
      store,
      log: log.child('join'),
    });
    const servingTls = { cert: pki.servingCert, key: pki.servingKey, clientCA: pki.caCert };
    const kubeletTls = { caPem: pki.caCert, certPem: pki.kubeletClientCert, keyPem: pki.kubeletClientKey };
    const podSecurity = await loadPodSecurityConfig(opts);
    const audit = await openAudit(opts, log);
    if (audit) components.push({ stop: () => audit.close() });
    const startApiServer = deps.startApiServer ?? (await loadStartApiServer());
    const metrics = new DeferredMetricsProvider();
    api = await startApiServer({
      metrics,
      bindAddress: opts.bindAddress,
      port: opts.httpsListenPort,
      ...defaultTolerations(opts),
      tls: servingTls,
      kubeletClient: kubeletTls,
      authenticator,
      nodeJoin,
      serviceAccount: { signingKeyPem: serviceAccountKey },
      ...(podSecurity ? { podSecurity } : {}),
      ...(audit ? { audit: audit.auditor } : {}),
      ...(localSocket ? { localSocket: { path: localSocket, user: CONTROL_PLANE_USER } } : {}),
      store,
      serviceCIDR: opts.serviceCidr,
      advertiseAddress,
      // The class names the built-in controller, which runs only beside this host's agent.
      ingressClass: !opts.disableIngress && !opts.disableAgent,
      defaultStorageClass: !opts.disableLocalStorage,
      ...(opts.eventTtlMs === undefined ? {} : { eventTtlMs: opts.eventTtlMs }),
      logger: log.child('apiserver'),
    });
    const server = `https://${urlHost(specificBind ? opts.bindAddress : '127.0.0.1')}:${api.port}`;
    log.info('API server serving', { server, bindAddress: opts.bindAddress });

    await writeKubeconfig(
      opts.writeKubeconfig,
      renderKubeconfig({
        server,
        caPem: pki.caCert,
        clientCertPem: pki.adminCert,
        clientKeyPem: pki.adminKey,
      }),
    );
    log.info(`wrote kubeconfig to ${opts.writeKubeconfig}`);
    // The server's own components talk to it over the local socket when there is one.
    const adminClient: ClientConfig = localSocket
      ? { server: 'http://localhost', socketPath: localSocket }
      : { server, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey };
    const metricsIntervalMs =
      opts.metricResolutionSeconds === undefined ? undefined : opts.metricResolutionSeconds * 1000;
    if (!opts.disableControllerManager || !opts.disableScheduler) {
      const controlPlane = await startControlPlaneThread(
        {
          client: adminClient,
          // A caller that brings its own logger (tests) hears only the thread's errors.
          logLevel: deps.logger ? 'error' : opts.logLevel,
          controllerManager: !opts.disableControllerManager,
          scheduler: !opts.disableScheduler,
          clusterCidr: opts.clusterCidr,
          ...disabledControllers(opts),
          localPathDir: join(opts.dataDir, 'storage'),
          rootCaPem: pki.caCert,
          serviceAccountKeyPem: serviceAccountKey,
          clusterSigning: { certPem: pki.caCert, keyPem: pki.caKey },
          leaseIdentity: stableReplicaIdentity(`tugboat-server:${resolve(opts.dataDir)}`),
          ...(opts.nodeMonitorGracePeriodSeconds === undefined
            ? {}
            : { nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodSeconds * 1000 }),
          ...(opts.hpaSyncPeriodSeconds === undefined
            ? {}
            : { hpaSyncPeriodMs: opts.hpaSyncPeriodSeconds * 1000 }),
          nodeDisruption: opts.nodeDisruption,
          // Scraping thousands of nodes is HTTP client work the API server's thread would otherwise do.
          metrics: {
            kubeletTls,
            ...(metricsIntervalMs === undefined ? {} : { intervalMs: metricsIntervalMs }),
          },
        },
        log,
        componentFailed,
      );
      components.push(controlPlane);
      metrics.target = controlPlane.metrics;
    } else {
      components.push(
        await startMetricsPipeline(metrics, {
          client: adminClient,
          logger: log.child('metrics'),
          kubeletTls,
          ...(metricsIntervalMs === undefined ? {} : { intervalMs: metricsIntervalMs }),
        }),
      );
    }
    if (opts.disableAgent) log.info('agent disabled: this host runs no workloads');
    else {
      const { startAgent, agentClusterOptions } = await import('./agent.js');
      // This host's agent is a node like any other: its own identity, which the Node authorizer limits.
      const credentials = await issueNodeCredentials(
        { certPem: pki.caCert, keyPem: pki.caKey },
        opts.nodeName,
        [hostName()],
        [...(opts.nodeIp ? [opts.nodeIp] : []), ...hostAddresses()],
      );
      components.unshift(
        await startAgent({
          server: {
            port: opts.kubeletPort,
            tls: {
              certPem: credentials.serving.certPem,
              keyPem: credentials.serving.keyPem,
              caPem: pki.caCert,
            },
          },
          dataDir: opts.dataDir,
          nodeName: opts.nodeName,
          client: {
            server,
            caPem: pki.caCert,
            certPem: credentials.client.certPem,
            keyPem: credentials.client.keyPem,
          },
          ...agentNodeSettings(opts),
          ...agentClusterOptions(clusterSettings(opts)),
          logger: log.child('agent'),
        }),
      );
      if (opts.disableIngress) log.info('ingress controller disabled');
      else if (opts.ingressHttpPort === 0 && opts.ingressHttpsPort === 0)
        log.info('ingress controller off: no HTTP or HTTPS port');
      else {
        const { startIngressThread } = await import('./ingress-thread.js');
        const ingress = await startIngressThread(
          {
            client: adminClient,
            nodeName: opts.nodeName,
            httpPort: opts.ingressHttpPort,
            httpsPort: opts.ingressHttpsPort,
            // Clients that name no host of an Ingress's TLS section see this node's own certificate.
            defaultCertificate: credentials.serving,
            logLevel: deps.logger ? 'error' : opts.logLevel,
          },
          log,
          componentFailed,
        );
        components.unshift(ingress);
      }
    }
    const workers = await startApiWorkers(opts, {
      api,
      store,
      metrics,
      log,
      ...(audit ? { audit } : {}),
      onFailure: componentFailed,
      data: {
        tls: servingTls,
        tokenFile,
        kubeletClient: kubeletTls,
        serviceAccountKeyPem: serviceAccountKey,
        serviceCIDR: opts.serviceCidr,
        advertiseAddress,
        bindAddress: opts.bindAddress,
        port: api.port,
        tolerations: defaultTolerations(opts),
        ...(podSecurity ? { podSecurity } : {}),
        ...(audit ? { auditPolicy: audit.policy } : {}),
        logLevel: deps.logger ? 'error' : opts.logLevel,
      },
    });
    if (workers) components.push(workers);
    deps.onReady?.({ port: api.port, server, kubeconfig: opts.writeKubeconfig });

    await Promise.race([shutdown, failed]);
    log.info('shutting down');
    await stopComponents(components, log);
    await closeAll(api, store, log);
    log.info('stopped');
    return failure ? 1 : 0;
  } catch (err) {
    log.error(`server failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopComponents(components, log);
    await closeAll(api, store, log);
    return 1;
  } finally {
    signals?.dispose();
    process.off('unhandledRejection', onUnhandled);
  }
}

/**
 * Encryption at rest: `--encryption-provider-config`, else the config `--secrets-encryption` keeps in the data
 * dir (bootstrapClusterSecrets made or fetched it). Read before the API serves, so a bad file stops the server
 * before any object is written. With `--encryption-provider-config-automatic-reload` an edited file takes
 * effect without a restart.
 */
async function loadEncryption(
  opts: ServerOptions,
  serverDir: string,
  log: Logger,
): Promise<((store: Store, components: Stoppable[]) => Store) | undefined> {
  const path =
    opts.encryptionProviderConfig ??
    (opts.secretsEncryption ? secretsEncryptionConfigPath(serverDir) : undefined);
  if (path === undefined) return undefined;
  // Loaded only when used: a server without encryption does not carry the ciphers' modules.
  const { loadEncryptionConfig } = await import('../apiserver/encryption/config.js');
  const { EncryptingStore } = await import('../apiserver/encryption/encrypting-store.js');
  const { watchEncryptionConfig } = await import('../apiserver/encryption/reload.js');
  const config = await loadEncryptionConfig(path);
  log.info('encryption at rest', { config: path, writes: config.summary });
  return (store, components) => {
    const encrypting = new EncryptingStore(store, config, log.child('encryption'));
    if (opts.encryptionConfigAutomaticReload) {
      components.push(watchEncryptionConfig(path, (next) => encrypting.reconfigure(next), log));
    }
    return encrypting;
  };
}

/** Built-in controllers the server's flags leave to something else (k3s's --disable servicelb, local-storage). */
function disabledControllers(opts: ServerOptions): { disabledControllers?: string[] } {
  const names = [
    ...(opts.disableServiceLb ? ['service-lb'] : []),
    ...(opts.disableLocalStorage ? ['local-path-provisioner'] : []),
  ];
  return names.length > 0 ? { disabledControllers: names } : {};
}

/** The audit policy and backends (`--audit-policy-file`, `--audit-log-path`, `--audit-webhook-config-file`). */
async function openAudit(opts: ServerOptions, log: Logger): Promise<AuditBackends | undefined> {
  if (!opts.audit) return undefined;
  const { openAudit: open } = await import('../apiserver/audit/backends.js');
  const audit = await open(opts.audit, log.child('audit'));
  log.info('auditing requests', {
    policy: opts.audit.policyFile,
    ...(opts.audit.log ? { log: opts.audit.log.path } : {}),
    ...(opts.audit.webhook ? { webhook: opts.audit.webhook.configFile } : {}),
  });
  return audit;
}

/** `--admission-control-config-file`'s PodSecurity configuration; a bad file stops the start with its errors. */
async function loadPodSecurityConfig(opts: ServerOptions): Promise<PodSecurityConfig | undefined> {
  if (!opts.admissionControlConfigFile) return undefined;
  const { readAdmissionControlConfig } = await import('../apiserver/podsecurity/config.js');
  return readAdmissionControlConfig(opts.admissionControlConfigFile);
}

/** The tolerationSeconds of the default not-ready/unreachable tolerations, where the flags set them. */
function defaultTolerations(opts: ServerOptions): DefaultTolerations {
  const t: DefaultTolerations = {};
  if (opts.defaultNotReadyTolerationSeconds !== undefined)
    t.defaultNotReadyTolerationSeconds = opts.defaultNotReadyTolerationSeconds;
  if (opts.defaultUnreachableTolerationSeconds !== undefined)
    t.defaultUnreachableTolerationSeconds = opts.defaultUnreachableTolerationSeconds;
  return t;
}

/** The `--api-workers` API worker processes, started before the server counts as ready. */
async function startApiWorkers(
  opts: ServerOptions,
  p: {
    api: RunningApiServer;
    store: Store;
    metrics: DeferredMetricsProvider;
    log: Logger;
    onFailure: (err: Error) => void;
    data: ApiWorkerData;
    audit?: AuditBackends;
  },
): Promise<ApiWorkers | undefined> {
  const count = opts.apiWorkers ?? 0;
  // A stand-in API server (tests) has no listener to share.
  if (count <= 0 || !p.api.listener || !p.api.context) return undefined;
  const { ApiWorkers } = await import('./api-workers.js');
  const workers = new ApiWorkers({
    listener: p.api.listener,
    store: p.store,
    services: p.api.context.admission.services,
    metrics: p.metrics,
    data: p.data,
    ...(p.audit ? { audit: p.audit } : {}),
    logger: p.log.child('api-workers'),
    onFailure: p.onFailure,
  });
  await workers.start(count);
  return workers;
}

async function stopComponents(components: Stoppable[], log: Logger): Promise<void> {
  for (const c of components) {
    try {
      await c.stop();
    } catch (err) {
      log.error('stopping a component failed', { error: String(err) });
    }
  }
}

async function closeAll(
  api: RunningApiServer | undefined,
  store: Store | undefined,
  log: Logger,
): Promise<void> {
  // The API server first: in-flight requests and watches still need the store.
  try {
    await api?.close();
  } catch (err) {
    log.error('closing the API server failed', { error: String(err) });
  }
  try {
    await store?.close();
  } catch (err) {
    log.error('closing the store failed', { error: String(err) });
  }
}

/** Create the folder of a sqlite:// database file so the store can open it. */
async function ensureSqliteDir(endpoint: string): Promise<void> {
  const m = /^sqlite:\/\/([^?#]+)/i.exec(endpoint);
  if (m?.[1] && m[1].startsWith('/')) await mkdir(dirname(m[1]), { recursive: true, mode: 0o700 });
}

function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::' || /^(0+:){7}0+$/.test(ip);
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

function urlHost(ip: string): string {
  return isIP(ip) === 6 ? `[${ip}]` : ip;
}

/** Hide a password in user:password@ endpoints before logging. */
function redact(endpoint: string): string {
  return endpoint.replace(/\/\/([^/@:]+):[^/@]*@/, '//$1:***@');
}
