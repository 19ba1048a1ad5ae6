import { ApiError, invalid, notFound } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import { resourcePrefix } from '../storage/keys.js';
import type { Subscription, WatchCache } from '../watch/watch-cache.js';
import type { Registry } from '../registry/index.js';
import type { ResourceDef } from '../registry/types.js';
import type { ServiceAddresses, ServiceAllocation } from '../services/allocators.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { admitDefaultIngressClass } from './default-ingress-class.js';
import { admitDefaultStorageClass } from './default-storage-class.js';
import { addDefaultTolerations, type DefaultTolerationOptions } from './default-tolerations.js';
import { PriorityAdmission } from './priority-admission.js';
import { admitQuota, quotaChargesUpdates } from './quota-admission.js';
import { admitClaimResize } from './claim-resize.js';
import {
  addFinalizer,
  PV_PROTECTION_FINALIZER,
  PVC_PROTECTION_FINALIZER,
} from '../../api/storage-protection.js';
import { LimitRanger } from './limit-ranger.js';
import { RuntimeClassAdmission } from './runtime-class-admission.js';
import { NamespacePresence } from './namespace-presence.js';
import { realClock, type Clock } from '../../util/clock.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import {
  PodSecurityAdmission,
  podSecurityApplies,
  type PodSecurityRequest,
} from '../podsecurity/admission.js';
import { hasPolicyLabels } from '../podsecurity/namespace-policy.js';
import type { PodSecurityConfig } from '../podsecurity/config.js';
import { admitServiceAccount, type ServiceAccountAdmissionDeps } from './service-account-admission.js';
import {
  admitNodeRequest,
  type NodeAdmissionRequest,
  type NodeRestrictionLookups,
} from './node-restriction.js';

/** Undoes an admission side effect; a promise when it must reach the store (awaited before answering). */
export type Rollback = () => void | Promise<void>;
const nothing: Rollback = () => {};

interface ServiceLike extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: { port?: number; nodePort?: number }[];
  };
}

/**
 * Built-in admission: checks and side effects that need cluster state (namespace lifecycle, service address
 * allocation). Each check returns a rollback for when the write does not happen (dry run, store error).
 */
export class Admission {
  private readonly activeNamespaces = new Set<string>();
  /** Pod Security labels of the active namespaces that have some. */
  private readonly podSecurityLabels = new Map<string, Record<string, string>>();
  private readonly podSecurity: PodSecurityAdmission;
  private readonly priority: PriorityAdmission;
  private readonly quotas: NamespacePresence;
  private readonly limitRanges: NamespacePresence;
  private readonly limitRanger: LimitRanger;
  private readonly runtimeClasses: RuntimeClassAdmission;
  private readonly nodeLookups: NodeRestrictionLookups;

  constructor(
    private readonly storage: ObjectStorage,
    private readonly registry: Registry,
    readonly services: ServiceAddresses,
    private readonly tolerations: DefaultTolerationOptions = {},
    clock: Clock = realClock,
    /** Enables the ServiceAccount plugin (servers that issue service account tokens). */
    private readonly serviceAccounts?: ServiceAccountAdmissionDeps,
    /** The PodSecurity plugin's defaults and exemptions (`--admission-control-config-file`). */
    podSecurityConfig?: PodSecurityConfig,
  ) {
    this.priority = new PriorityAdmission(storage, registry);
    this.quotas = new NamespacePresence(storage, registry, clock, 'resourcequotas');
    this.limitRanges = new NamespacePresence(storage, registry, clock, 'limitranges');
    this.limitRanger = new LimitRanger(this.limitRanges);
    this.runtimeClasses = new RuntimeClassAdmission(storage, registry);
    this.nodeLookups = {
      pod: (ns, name) => storage.get(registry.mustGet('', 'pods'), ns, name),
      node: (name) => storage.get(registry.mustGet('', 'nodes'), undefined, name),
    };
    this.podSecurity = new PodSecurityAdmission(
      {
        namespaceLabels: (namespace) => this.namespaceLabels(namespace),
        listPods: async (namespace) =>
          (await storage.list(registry.mustGet('', 'pods'), { namespace })).items as Pod[],
      },
      podSecurityConfig,
    );
  }

  /**
   * NodeRestriction, for writes by node agents: undefined (nothing to wait for) for everyone else. Runs with
   * the built-in mutating plugins, before webhooks, as upstream's.
   */
  restrictNode(req: NodeAdmissionRequest): Promise<void> | undefined {
    return admitNodeRequest(req, this.nodeLookups);
  }

  /**
   * Keeps track of which namespaces have ResourceQuotas and LimitRanges, so creates elsewhere skip reading
   * them.
   */
  async trackQuotasAndLimitRanges(watchCache: WatchCache): Promise<Subscription[]> {
    return [await this.quotas.track(watchCache), await this.limitRanges.track(watchCache)];
  }

  /** Keeps the PriorityClasses the Priority plugin needs in memory. */
  trackPriorityClasses(watchCache: WatchCache): Promise<Subscription> {
    return this.priority.track(watchCache);
  }

  /**
   * The mutating built-in plugins of a create (and the namespace check that precedes them upstream): they run
   * before mutating webhooks, which see their changes, and before validation.
   */
  async mutateCreate(def: ResourceDef, obj: KubeObject): Promise<void> {
    if (def.namespaced) await this.requireActiveNamespace(obj.metadata?.namespace ?? '');
    if (def.group === '' && def.plural === 'pods') {
      await this.limitRanger.defaultPod(obj);
      if (this.serviceAccounts) await admitServiceAccount(obj, this.serviceAccounts);
      await this.priority.admit(obj);
      addDefaultTolerations(obj, this.tolerations);
      await this.runtimeClasses.admit(obj);
    }
    if (def.group === '' && def.plural === 'persistentvolumeclaims') {
      await admitDefaultStorageClass(this.storage, this.registry, obj);
      addFinalizer(obj, PVC_PROTECTION_FINALIZER);
    }
    if (def.group === '' && def.plural === 'persistentvolumes') addFinalizer(obj, PV_PROTECTION_FINALIZER);
    if (def.group === 'networking.k8s.io' && def.plural === 'ingresses') {
      await admitDefaultIngressClass(this.storage, this.registry, obj);
    }
  }

  /** Service addresses for a validated create (before validating webhooks, which see them, as upstream). */
  allocateCreate(def: ResourceDef, obj: KubeObject): Rollback | Promise<Rollback> {
    return isServices(def) ? this.allocateService(def, obj) : nothing;
  }

  /** ResourceQuota, the last admission check of a create: charged only once everything else let it through. */
  chargeQuota(def: ResourceDef, obj: KubeObject): Promise<Rollback> {
    return admitQuota(this.storage, this.registry, def, obj, this.quotas);
  }

  /**
   * Service addresses and ResourceQuota for an update about to be stored (after validating webhooks, as
   * upstream's quota plugin comes last); synchronous for the resources neither concerns.
   */
  admitUpdate(
    def: ResourceDef,
    obj: KubeObject,
    old: KubeObject,
    /** Quota leaves subresource writes (status…) alone, as upstream's plugin does. */
    subresource?: string,
  ): Rollback | Promise<Rollback> {
    if (subresource || !quotaChargesUpdates(def)) {
      return isServices(def) ? this.allocateService(def, obj, old) : nothing;
    }
    return this.admitChargedUpdate(def, obj, old);
  }

  private async admitChargedUpdate(def: ResourceDef, obj: KubeObject, old: KubeObject): Promise<Rollback> {
    const undoAllocation = isServices(def) ? await this.allocateService(def, obj, old) : nothing;
    try {
      const undoQuota = await admitQuota(this.storage, this.registry, def, obj, this.quotas, old);
      return async () => {
        undoQuota();
        await undoAllocation();
      };
    } catch (err) {
      await undoAllocation();
      throw err;
    }
  }

  /**
   * After a successful update: free what the old version held and the new one does not. A promise (which
   * never rejects) for Services: awaited, so a create right after finds the addresses free.
   */
  updated(def: ResourceDef, obj: KubeObject, old: KubeObject): Promise<void> | undefined {
    if (!isServices(def)) return undefined;
    return this.services.releaseDropped((old as ServiceLike).spec, (obj as ServiceLike).spec);
  }

  /** After a delete: as updated(). */
  deleted(def: ResourceDef, obj: KubeObject): Promise<void> | undefined {
    if (!isServices(def)) return undefined;
    return this.services.releaseDropped((obj as ServiceLike).spec);
  }

  /**
   * The built-in validating plugins for pods and claims (not for subresources), after validation and before
   * PodSecurity: LimitRanger's bounds for a pod being created or a claim being created or updated,
   * PersistentVolumeClaimResize for a claim whose storage request grows, and RuntimeClass's overhead check for
   * a pod being created.
   */
  validateResources(def: ResourceDef, obj: KubeObject, old?: KubeObject): Promise<void> | undefined {
    if (def.group !== '') return undefined;
    if (def.plural === 'pods') return old ? undefined : this.validatePod(def, obj);
    if (def.plural !== 'persistentvolumeclaims') return undefined;
    if (!old) return this.limitRanger.validate(def, obj);
    return this.validateClaimUpdate(def, obj as PersistentVolumeClaim, old as PersistentVolumeClaim);
  }

  private async validatePod(def: ResourceDef, pod: KubeObject): Promise<void> {
    await this.limitRanger.validate(def, pod);
    await this.runtimeClasses.validate(pod);
  }

  private async validateClaimUpdate(
    def: ResourceDef,
    claim: PersistentVolumeClaim,
    old: PersistentVolumeClaim,
  ): Promise<void> {
    await this.limitRanger.validate(def, claim as KubeObject, old as KubeObject);
    await admitClaimResize(this.storage, this.registry, claim, old);
  }

  /**
   * The PodSecurity plugin for a create or update that passed validation (before validating webhooks, as
   * upstream orders its plugins); a refusal throws, warnings go to `warn`.
   */
  podSecurityCheck(req: PodSecurityRequest): Promise<void> | undefined {
    return podSecurityApplies(req.def) ? this.podSecurity.admit(req) : undefined;
  }

  /** Labels of a namespace from the watch cache's view, or from the store for one not seen there yet. */
  private namespaceLabels(
    namespace: string,
  ): Record<string, string> | undefined | Promise<Record<string, string> | undefined> {
    if (this.activeNamespaces.has(namespace)) return this.podSecurityLabels.get(namespace);
    const nsDef = this.registry.mustGet('', 'namespaces');
    return this.storage.get(nsDef, undefined, namespace).then((ns) => ns?.metadata.labels);
  }

  /**
   * Keeps the set of active namespaces from the watch cache so most creates skip a store read. A namespace not
   * in the set (new, or the event still on its way) is looked up in the store, which stays authoritative.
   */
  async trackNamespaces(watchCache: WatchCache): Promise<Subscription> {
    const nsDef = this.registry.mustGet('', 'namespaces');
    const page = await this.storage.list(nsDef);
    const keep = (ns: StoredObject): void => {
      const name = ns.metadata.name;
      this.activeNamespaces.add(name);
      if (hasPolicyLabels(ns.metadata.labels)) this.podSecurityLabels.set(name, ns.metadata.labels!);
      else this.podSecurityLabels.delete(name);
    };
    for (const ns of page.items) if (isActive(ns)) keep(ns);
    return watchCache.subscribe({
      prefix: resourcePrefix(nsDef),
      fromRevision: Number(page.resourceVersion),
      onEvent: (ev) => {
        if (ev.type !== 'DELETED' && isActive(ev.object)) keep(ev.object);
        else {
          this.activeNamespaces.delete(ev.parsed.name);
          this.podSecurityLabels.delete(ev.parsed.name);
        }
      },
      onClose: () => {
        this.activeNamespaces.clear();
        this.podSecurityLabels.clear();
      },
    });
  }

  private async requireActiveNamespace(namespace: string): Promise<void> {
    if (this.activeNamespaces.has(namespace)) return;
    const nsDef = this.registry.mustGet('', 'namespaces');
    const ns = await this.storage.get(nsDef, undefined, namespace);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, namespace);
    const phase = (ns.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Terminating' || ns.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${namespace} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  private allocateService(
    def: ResourceDef,
    svc: ServiceLike,
    old?: ServiceLike,
  ): Rollback | Promise<Rollback> {
    svc.spec ??= {};
    const { namespace, name } = svc.metadata ?? {};
    const answer = this.services.allocate(svc.spec, old?.spec, `${namespace ?? ''}/${name ?? ''}`);
    const settle = (result: ServiceAllocation): Rollback => {
      if (result.errors.length > 0)
        throw invalid(def.kind, def.group, svc.metadata?.name ?? '', result.errors);
      return result.undo;
    };
    return answer instanceof Promise ? answer.then(settle) : settle(answer);
  }
}

function isActive(ns: StoredObject): boolean {
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  return !ns.metadata.deletionTimestamp && phase !== 'Terminating';
}

function isServices(def: ResourceDef): boolean {
  return def.group === '' && def.plural === 'services';
}
