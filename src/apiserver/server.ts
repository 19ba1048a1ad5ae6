import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { realClock, type Clock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { bootstrapCluster } from './bootstrap.js';
import { KubernetesEndpoints } from './kubernetes-endpoints.js';
import type { ApiServerConfig } from './config.js';
import type { ApiExtensions } from './extensions.js';
import { WebhookConfigurations } from './webhooks/configurations.js';
import { WebhookAdmission } from './webhooks/dispatcher.js';
import { ValidatingPolicies } from './webhooks/policies.js';
import { endpointServiceResolver } from './webhooks/service-resolver.js';
import { Authorization } from './authz/index.js';
import { waitFor } from '../util/wait.js';
import { CrdController } from './crd/crd-controller.js';
import { createRequestHandler } from './http/handler.js';
import { localListener } from './local-socket.js';
import { createLazyUpgradeHandler } from './streaming/lazy-upgrade.js';
import { DEFAULT_EVENT_TTL_MS, EventTtl } from './event-ttl.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import { Registry, type RegistryParts, buildResourceDefs } from './registry/index.js';
import { Admission } from './rest/admission.js';
import type { ApiContext } from './rest/context.js';
import { ServiceAllocationRepair, type StoredService } from './services/allocation-repair.js';
import { ClusterIpAllocator, NodePortAllocator, ServiceAllocator } from './services/allocators.js';
import { firstServiceIp, parseServiceRange } from './services/cidr.js';
import { startCompactor } from '../store/compactor.js';
import { ObjectStorage } from './storage/object-storage.js';
import { WatchCache } from './watch/watch-cache.js';
import { DEFAULT_ISSUER } from '../api/serviceaccount/claims.js';
import { withServiceAccountTokens } from './serviceaccount/authenticator.js';
import { ServiceAccountTokens } from './serviceaccount/tokens.js';

export interface RunningApiServer {
  port: number;
  /** The context handlers share; in-process components may read through it. */
  context: ApiContext;
  /** The listening HTTP(S) server (serving processes get a copy of its socket). */
  listener: Server;
  close(): Promise<void>;
}

export interface ApiServerInternals {
  extensions: ApiExtensions;
  registryParts: RegistryParts;
  clock?: Clock;
}

/** Upstream accepts 1 MiB of request headers (long names in URLs); Node's default is 16 KiB. */
const MAX_HEADER_BYTES = 1 << 20;

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Random bytes drawn in blocks: one crypto call per few hundred generated names. */
let entropy = Buffer.alloc(0);
let entropyAt = 0;

function randomSuffix(): string {
  if (entropyAt + 5 > entropy.length) {
    entropy = randomBytes(2048);
    entropyAt = 0;
  }
  let out = '';
  for (let i = 0; i < 5; i++) out += SUFFIX_ALPHABET[entropy[entropyAt++]! % SUFFIX_ALPHABET.length];
  return out;
}

/** Starts the API server over an open store; resolves once it serves. The caller owns (and closes) the store. */
export async function startApiServerWith(
  config: ApiServerConfig,
  internals: ApiServerInternals,
): Promise<RunningApiServer> {
  const logger = config.logger ?? silentLogger;
  const registry = new Registry(buildResourceDefs(internals.registryParts));
  const storage = new ObjectStorage(config.store);
  const watchCache = new WatchCache(config.store, {
    logger: logger.child('watch'),
    ...(config.watchCacheSize ? { capacity: config.watchCacheSize } : {}),
  });
  const serviceRange = parseServiceRange(config.serviceCIDR);
  const clock = internals.clock ?? realClock;
  // Only the main process allocates (through the store); serving processes beside it ask it.
  const allocator = config.replica
    ? undefined
    : new ServiceAllocator(
        new ClusterIpAllocator(serviceRange, config.store, clock),
        new NodePortAllocator(config.store, clock),
        logger.child('service-addresses'),
      );
  const admission = new Admission(
    storage,
    registry,
    config.replica?.services ?? allocator!,
    {
      ...(config.defaultNotReadyTolerationSeconds !== undefined
        ? { notReadySeconds: config.defaultNotReadyTolerationSeconds }
        : {}),
      ...(config.defaultUnreachableTolerationSeconds !== undefined
        ? { unreachableSeconds: config.defaultUnreachableTolerationSeconds }
        : {}),
    },
    clock,
    config.serviceAccount
      ? {
          getServiceAccount: (ns, name) => storage.get(registry.mustGet('', 'serviceaccounts'), ns, name),
          randomSuffix,
        }
      : undefined,
    config.podSecurity,
  );
  const saTokens = config.serviceAccount
    ? new ServiceAccountTokens(
        {
          signingKeyPem: config.serviceAccount.signingKeyPem,
          issuer: config.serviceAccount.issuer ?? DEFAULT_ISSUER,
          apiAudiences: config.serviceAccount.apiAudiences ?? [
            config.serviceAccount.issuer ?? DEFAULT_ISSUER,
          ],
          clock,
        },
        { get: (plural, ns, name) => storage.get(registry.mustGet('', plural), ns || undefined, name) },
      )
    : undefined;
  const authenticator = saTokens
    ? withServiceAccountTokens(config.authenticator, saTokens)
    : config.authenticator;
  const replica = config.replica !== undefined;
  const local = config.localSocket && !replica ? localListener(config.localSocket, authenticator) : undefined;
  const ctx: ApiContext = {
    registry,
    storage,
    watchCache,
    ext: internals.extensions,
    admission,
    authenticator: local?.authenticator ?? authenticator,
    authz: new Authorization(async () => {
      const revision = await config.store.currentRevision();
      await waitFor(() => watchCache.latestRevision >= revision, { timeoutMs: 2000, intervalMs: 2 }).catch(
        () => {},
      );
    }),
    clock,
    logger,
    newUid: randomUUID,
    randomSuffix,
    watchMaxPendingBytes: config.watchMaxPendingBytes ?? 16 * 1024 * 1024,
    closing: false,
    ...(config.metrics ? { metrics: config.metrics } : {}),
    ...(config.kubeletClient ? { kubeletClient: config.kubeletClient } : {}),
    ...(config.nodeJoin ? { nodeJoin: config.nodeJoin } : {}),
    ...(config.replica ? { replica: true } : {}),
    ...(saTokens ? { serviceAccountTokens: saTokens } : {}),
    ...(config.audit ? { audit: config.audit } : {}),
  };
  await watchCache.start({ history: replica });
  // Custom resources are served before the first request is.
  const crds = new CrdController(ctx, { logger: logger.child('crd'), writes: !replica });
  crds.onChange = (served) => ctx.ext.openapi?.setCustomResources?.(served);
  await crds.start();
  // Keeps a window of history for watches and consistent paging; older revisions answer 410 Expired.
  const compactor = replica ? undefined : startCompactor(config.store, { logger: logger.child('compactor') });
  // Every stored Service's addresses are recorded before the first request is admitted.
  const allocationRepair =
    allocator &&
    new ServiceAllocationRepair(allocator, () => listServices(ctx), {
      ...config.serviceAllocationRepair,
      clock,
      logger: logger.child('service-addresses'),
    });
  await allocationRepair?.start();
  const namespaceTracking = await admission.trackNamespaces(watchCache);
  const priorityTracking = await admission.trackPriorityClasses(watchCache);
  const quotaTracking = await admission.trackQuotasAndLimitRanges(watchCache);
  // RBAC and the Node authorizer's graph are in memory before the first request is authorized.
  const rbacTracking = await ctx.authz.track(storage, registry, watchCache);
  const webhookConfigurations = new WebhookConfigurations(storage, registry);
  const validatingPolicies = new ValidatingPolicies(storage, registry);
  const webhookTracking = [
    ...(await webhookConfigurations.track(watchCache)),
    ...(await validatingPolicies.track(watchCache)),
  ];
  ctx.webhooks = new WebhookAdmission({
    configurations: webhookConfigurations,
    policies: validatingPolicies,
    registry,
    storage,
    newUid: randomUUID,
    logger: logger.child('admission-webhooks'),
    resolveService: endpointServiceResolver(storage, registry),
    applyJsonPatch: (obj, ops) =>
      ctx.ext.applyPatch('application/json-patch+json', obj, ops, { group: '', version: '', kind: '' }),
    decodeObject: (obj, served) => {
      if (served.def.decodeBody) served.def.decodeBody(obj, served.version, { defaults: true });
      else
        ctx.ext.decodeBody?.(
          obj,
          { group: served.group, version: served.version, kind: served.def.kind },
          'Ignore',
        );
    },
  });

  const handler = createRequestHandler(ctx, {
    serverAddress: `${config.advertiseAddress ?? '127.0.0.1'}:${config.port}`,
  });
  const server: Server = config.tls
    ? createHttpsServer(
        {
          cert: config.tls.cert,
          key: config.tls.key,
          ca: config.tls.clientCA,
          requestCert: true,
          rejectUnauthorized: false,
          maxHeaderSize: MAX_HEADER_BYTES,
        },
        handler,
      )
    : createHttpServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler);
  const upgrades = createLazyUpgradeHandler(ctx, () => ctx.kubeletClient);
  server.on('upgrade', upgrades);
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (config.listenHandle) server.listen(config.listenHandle, listening);
    else server.listen(config.port, config.bindAddress, listening);
  });
  const port = (server.address() as AddressInfo).port;
  await local?.listen(handler);
  const housekeeping = replica ? undefined : await startHousekeeping(ctx, config, serviceRange, port);

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      // Before requests stop: other servers take over this one's place in the `kubernetes` Endpoints.
      await housekeeping?.endpoints.stop();
      ctx.closing = true;
      housekeeping?.namespaces.stop();
      housekeeping?.eventTtl.stop();
      crds.stop();
      compactor?.stop();
      allocationRepair?.stop();
      namespaceTracking.close();
      priorityTracking.close();
      for (const t of quotaTracking) t.close();
      for (const sub of [...webhookTracking, ...rbacTracking]) sub.close();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      const localDone = local?.close();
      watchCache.stop();
      server.closeIdleConnections();
      upgrades.closeAll();
      // In-flight requests finish; connections left idle after them are closed as they go idle.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      await done;
      await localDone;
      clearInterval(sweeper);
    })();
    return closed;
  };
  logger.info('API server serving', { address: config.bindAddress, port, tls: !!config.tls });
  return { port, context: ctx, listener: server, close };
}

/** Every stored Service with its spec, for the allocation repair pass. */
async function listServices(ctx: ApiContext): Promise<StoredService[]> {
  const page = await ctx.storage.list(ctx.registry.mustGet('', 'services'));
  return page.items.map((svc) => ({
    service: `${svc.metadata.namespace ?? ''}/${svc.metadata.name}`,
    spec: svc.spec as StoredService['spec'],
  }));
}

/** The main server's own upkeep: the `kubernetes` Service, namespace deletion, Event expiry. */
async function startHousekeeping(
  ctx: ApiContext,
  config: ApiServerConfig,
  serviceRange: ReturnType<typeof parseServiceRange>,
  port: number,
): Promise<{ namespaces: NamespaceLifecycle; eventTtl: EventTtl; endpoints: KubernetesEndpoints }> {
  await bootstrapCluster(ctx, {
    kubernetesServiceIp: firstServiceIp(serviceRange),
    port,
    ingressClass: config.ingressClass,
    defaultStorageClass: config.defaultStorageClass,
  });
  const endpoints = new KubernetesEndpoints(
    ctx,
    { address: config.advertiseAddress ?? '127.0.0.1', port, host: hostname() },
    ctx.logger.child('kubernetes-endpoints'),
  );
  await endpoints.start();
  const namespaces = new NamespaceLifecycle(ctx, { logger: ctx.logger.child('namespaces') });
  await namespaces.start();
  const eventTtl = new EventTtl(ctx, {
    ttlMs: config.eventTtlMs ?? DEFAULT_EVENT_TTL_MS,
    logger: ctx.logger.child('events'),
  });
  await eventTtl.start();
  return { namespaces, eventTtl, endpoints };
}
