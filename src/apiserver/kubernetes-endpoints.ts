import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { hasReason } from '../api/errors.js';
import { deepEqual, type KubeObject, type StoredObject } from '../api/meta.js';
import { microTime, rfc3339 } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { ResourceDef } from './registry/types.js';
import type { ApiContext } from './rest/context.js';
import { racedWithAnotherWriter } from './storage/object-storage.js';

/** The label upstream's API server identity Leases carry; these Leases are Tugboat's counterpart. */
export const APISERVER_IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
export const ANN_ADVERTISE_ADDRESS = 'tugboat.dev/advertise-address';
export const ANN_ADVERTISE_PORT = 'tugboat.dev/advertise-port';

/** kube-apiserver's --endpoint-reconciler-interval and its master lease TTL (--master-endpoint-reconciler-ttl). */
const RECONCILE_MS = 10_000;
const LEASE_SECONDS = 15;
/** Leases of servers gone this long are deleted (a server that comes back makes its own again). */
const FORGET_EXPIRED_MS = 60 * 60 * 1000;

/**
 * The `kubernetes` Service's Endpoints and EndpointSlice name every live API server of the cluster, as
 * upstream's lease endpoint reconciler keeps them: each server renews a Lease of its own in kube-system every
 * 10 s (15 s duration) carrying its advertised address, and writes the Endpoints from the Leases that have not
 * expired. A server always counts itself, and one that stops removes its Lease and its address (unless it is
 * the last: then the Endpoints stay, so a single server's restart does not empty them). Servers advertising
 * another port than this one's are left out, as upstream's Endpoints have one port.
 */
export class KubernetesEndpoints {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly leaseName: string;

  constructor(
    private readonly ctx: ApiContext,
    private readonly self: { address: string; port: number; host: string },
    private readonly log: Logger,
    private readonly intervalMs = RECONCILE_MS,
  ) {
    const digest = createHash('sha256').update(`${self.address}:${self.port}`).digest('hex');
    this.leaseName = `apiserver-${digest.slice(0, 16)}`;
  }

  async start(): Promise<void> {
    await this.reconcile();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Takes this server out: its Lease goes, and its address with it when another server is live. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    try {
      const leases = this.ctx.registry.mustGet('coordination.k8s.io', 'leases');
      await this.ctx.storage.delete(leases, 'kube-system', this.leaseName).catch((err: unknown) => {
        if (!hasReason(err, 'NotFound')) throw err;
      });
      const others = await this.liveAddresses(false);
      if (others.length > 0) await writeKubernetesEndpoints(this.ctx, others, this.self.port);
    } catch (err) {
      this.log.warn('could not take this API server out of the kubernetes endpoints', { error: String(err) });
    }
  }

  private tick(): void {
    this.running = this.running.then(() =>
      this.reconcile().catch((err: unknown) =>
        this.log.warn('kubernetes endpoints not reconciled', { error: String(err) }),
      ),
    );
  }

  private async reconcile(): Promise<void> {
    await this.renewOwnLease();
    await writeKubernetesEndpoints(this.ctx, await this.liveAddresses(true), this.self.port);
  }

  private async renewOwnLease(): Promise<void> {
    const def = this.ctx.registry.mustGet('coordination.k8s.io', 'leases');
    const now = this.ctx.clock.now();
    const old = await this.ctx.storage.get(def, 'kube-system', this.leaseName);
    const fields = {
      metadata: {
        name: this.leaseName,
        namespace: 'kube-system',
        labels: { [APISERVER_IDENTITY_LABEL]: 'kube-apiserver', 'kubernetes.io/hostname': this.self.host },
        annotations: {
          [ANN_ADVERTISE_ADDRESS]: this.self.address,
          [ANN_ADVERTISE_PORT]: String(this.self.port),
        },
      },
      spec: {
        holderIdentity: this.leaseName,
        leaseDurationSeconds: LEASE_SECONDS,
        renewTime: microTime(now),
      },
    };
    if (!old) {
      await this.ctx.storage.create(def, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        ...fields,
        metadata: { ...fields.metadata, uid: this.ctx.newUid(), creationTimestamp: rfc3339(now) },
        spec: { ...fields.spec, acquireTime: microTime(now) },
      });
      return;
    }
    await this.ctx.storage.update(
      def,
      {
        ...old,
        metadata: { ...old.metadata, ...fields.metadata },
        spec: { ...(old.spec as object), ...fields.spec },
      },
      Number(old.metadata.resourceVersion),
    );
  }

  /** Addresses of the live servers on this port, sorted; expired Leases long gone are deleted on the way. */
  private async liveAddresses(includeSelf: boolean): Promise<string[]> {
    const def = this.ctx.registry.mustGet('coordination.k8s.io', 'leases');
    const now = this.ctx.clock.now();
    const page = await this.ctx.storage.list(def, {
      namespace: 'kube-system',
      predicate: (o) => o.metadata.labels?.[APISERVER_IDENTITY_LABEL] === 'kube-apiserver',
    });
    const addresses = new Set<string>(includeSelf ? [this.self.address] : []);
    for (const lease of page.items) {
      if (lease.metadata.name === this.leaseName) continue;
      const expiresAt = leaseExpiry(lease);
      if (expiresAt === undefined) continue;
      if (expiresAt > now) {
        const annotations = lease.metadata.annotations ?? {};
        const address = annotations[ANN_ADVERTISE_ADDRESS];
        if (address && annotations[ANN_ADVERTISE_PORT] === String(this.self.port)) addresses.add(address);
      } else if (now - expiresAt > FORGET_EXPIRED_MS) {
        await this.ctx.storage
          .delete(def, 'kube-system', lease.metadata.name, Number(lease.metadata.resourceVersion))
          .catch(() => undefined);
      }
    }
    return [...addresses].sort();
  }
}

function leaseExpiry(lease: StoredObject): number | undefined {
  const spec = lease.spec as { renewTime?: string; leaseDurationSeconds?: number } | undefined;
  const renewed = spec?.renewTime ? Date.parse(spec.renewTime) : NaN;
  if (Number.isNaN(renewed)) return undefined;
  return renewed + (spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
}

/**
 * The `kubernetes` Endpoints and EndpointSlice name the API servers (service proxies read the slice). The
 * Service has no selector, so no controller makes them; they are written straight to storage, as upstream's
 * endpoint reconciler does, because the address may be loopback on a single machine, which user-written
 * endpoints may not use.
 */
export async function writeKubernetesEndpoints(
  ctx: ApiContext,
  addresses: string[],
  port: number,
): Promise<void> {
  await reconcileOwnObject(
    ctx,
    ctx.registry.mustGet('', 'endpoints'),
    { apiVersion: 'v1', kind: 'Endpoints', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    {
      subsets: [
        { addresses: addresses.map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] },
      ],
    },
  );
  await reconcileOwnObject(
    ctx,
    ctx.registry.mustGet('discovery.k8s.io', 'endpointslices'),
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    {
      addressType: isIPv6(addresses[0] ?? '') ? 'IPv6' : 'IPv4',
      endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
    // addressType is immutable: a changed address family means a new slice.
    ['addressType'],
  );
}

/**
 * Keeps `default/kubernetes` of a kind with `fields` as given: created when missing, updated when a field
 * differs, replaced when one of `immutable` does. Servers sharing a store write it at the same moments (all
 * start together): losing a race (already created, or changed since read) means reading it again.
 */
async function reconcileOwnObject(
  ctx: ApiContext,
  def: ResourceDef,
  head: { apiVersion: string; kind: string; labels: Record<string, string> },
  fields: Record<string, unknown>,
  immutable: string[] = [],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await reconcileOnce(ctx, def, head, fields, immutable);
    } catch (err) {
      if (!racedWithAnotherWriter(err) || attempt >= 5) throw err;
    }
  }
}

async function reconcileOnce(
  ctx: ApiContext,
  def: ResourceDef,
  head: { apiVersion: string; kind: string; labels: Record<string, string> },
  fields: Record<string, unknown>,
  immutable: string[],
): Promise<void> {
  let old = await ctx.storage.get(def, 'default', 'kubernetes');
  if (old && immutable.some((f) => !deepEqual(old![f], fields[f]))) {
    await ctx.storage.delete(def, 'default', 'kubernetes');
    old = undefined;
  }
  if (!old) {
    const obj: KubeObject = {
      apiVersion: head.apiVersion,
      kind: head.kind,
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        uid: ctx.newUid(),
        creationTimestamp: rfc3339(ctx.clock.now()),
        labels: head.labels,
      },
      ...fields,
    };
    await ctx.storage.create(def, obj);
  } else if (Object.keys(fields).some((f) => !deepEqual(old[f], fields[f]))) {
    await ctx.storage.update(def, { ...old, ...fields }, Number(old.metadata.resourceVersion));
  }
}
