/**
 * Serves what CustomResourceDefinitions define, inside the API server (upstream's apiextensions controllers:
 * naming, establishing, finalizing). For each CRD: checks its names against every served resource of its
 * group, records `status.acceptedNames`, `NamesAccepted` and `Established`, and serves its custom resources;
 * once the CRD is deleted, deletes every custom resource and then lets the CRD go.
 */
import type { CustomResourceDefinitionCondition } from 'kubernetes-types/apiextensions/v1.js';
import { hasReason, methodNotAllowed } from '../../api/errors.js';
import { cloneJson, type KubeObject, type StoredObject } from '../../api/meta.js';
import { rfc3339 } from '../../util/clock.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { PendingWork } from '../pending-work.js';
import type { ResourceDef } from '../registry/types.js';
import type { ApiContext } from '../rest/context.js';
import { CRD_CLEANUP_FINALIZER, deleteCanonical } from '../rest/delete.js';
import { updateCanonical } from '../rest/write.js';
import { resourcePrefix } from '../storage/keys.js';
import { customResourceDef, type CustomResourceDefinition } from './custom-resource-def.js';
import { customMergeMeta } from './merge-meta.js';
import { loadCel } from './schema/index.js';
import { setCustomMergeMeta } from '../patch/patch-meta.js';

type Condition = CustomResourceDefinitionCondition;

/** A served custom resource and the CRD it comes from. */
export interface ServedCustomResource {
  def: ResourceDef;
  crd: CustomResourceDefinition;
}

export class CrdController {
  private readonly work: PendingWork;
  private subscription?: { close(): void };
  private readonly logger: Logger;
  /** Called after the set of served custom resources changed (OpenAPI documents follow it). */
  onChange?: (served: ServedCustomResource[]) => void;
  private readonly served = new Map<string, ServedCustomResource>();
  /** CRDs whose names were refused: looked at again when another CRD goes. */
  private readonly refused = new Set<string>();
  /** False in a serving process beside the main server: it serves what the main one's status says. */
  private readonly writes: boolean;

  constructor(
    private readonly ctx: ApiContext,
    opts: { logger?: Logger; retryMs?: number; writes?: boolean } = {},
  ) {
    this.logger = opts.logger ?? silentLogger;
    this.writes = opts.writes ?? true;
    this.work = new PendingWork((name) => this.reconcile(name), {
      retryMs: opts.retryMs ?? 1000,
      logger: this.logger,
      what: 'custom resource definition',
    });
  }

  private get def(): ResourceDef {
    return this.ctx.registry.mustGet('apiextensions.k8s.io', 'customresourcedefinitions');
  }

  /** Serves every stored CRD before returning, then follows changes. */
  async start(): Promise<void> {
    const page = await this.ctx.storage.list(this.def);
    for (const crd of page.items) {
      try {
        if (!(await this.reconcile(crd.metadata.name))) this.work.add(crd.metadata.name);
      } catch (err) {
        this.logger.warn('custom resource definition failed; will retry', {
          name: crd.metadata.name,
          error: String(err),
        });
        this.work.add(crd.metadata.name);
      }
    }
    this.subscription = this.ctx.watchCache.subscribe({
      prefix: resourcePrefix(this.def),
      fromRevision: Number(page.resourceVersion),
      onEvent: (ev) => {
        this.work.add(ev.parsed.name);
        // A CRD that goes may free the names another one was refused.
        if (ev.type === 'DELETED') for (const refused of this.refused) this.work.add(refused);
      },
      onClose: () => {},
    });
  }

  stop(): void {
    this.work.stop();
    this.subscription?.close();
  }

  /** Returns false when the CRD needs another look later (custom resources still being deleted). */
  private async reconcile(name: string): Promise<boolean> {
    const stored = await this.ctx.storage.get(this.def, undefined, name);
    if (!stored) {
      this.refused.delete(name);
      this.unserve(name);
      return true;
    }
    const crd = stored as unknown as CustomResourceDefinition & StoredObject;
    let status = crd.status ?? {};
    let current: StoredObject = stored;
    if (this.writes) {
      const conflict = await this.nameConflict(crd);
      if (conflict) this.refused.add(name);
      else this.refused.delete(name);
      status = desiredStatus(crd, conflict, rfc3339(this.ctx.clock.now()));
      if (JSON.stringify(status) !== JSON.stringify(crd.status ?? {})) {
        current = await this.writeStatus(stored, status);
      }
    }
    const established = (status.conditions ?? []).some(
      (c) => c.type === 'Established' && c.status === 'True',
    );
    // Custom resources' CEL rules run on every write once served.
    if (established) await loadCel();
    const def = established ? customResourceDef(current as unknown as CustomResourceDefinition) : undefined;
    if (!def) this.unserve(name);
    else this.serve(name, { def, crd: current as unknown as CustomResourceDefinition });
    if (!crd.metadata.deletionTimestamp || !this.writes) return true;
    // Never served (names refused, no served version): no custom resource can exist, as upstream's
    // NeverEstablished case; the cleanup finalizer goes at once.
    return def ? this.finalize(current, def) : this.dropCleanupFinalizer(current);
  }

  private serve(name: string, served: ServedCustomResource): void {
    if (served.crd.metadata?.deletionTimestamp) {
      served.def.strategy.prepareForCreate = () => {
        throw methodNotAllowed('create not allowed while custom resource definition is terminating');
      };
    }
    this.served.set(name, served);
    this.ctx.registry.setCustom(name, served.def);
    const schema = served.crd.spec.versions.find((v) => v.storage)?.schema?.openAPIV3Schema;
    const { group, kind } = served.def;
    if (schema) {
      const meta = customMergeMeta(group, kind, schema);
      setCustomMergeMeta({ group, kind }, meta.structs, meta.root);
    } else setCustomMergeMeta({ group, kind }, undefined);
    this.onChange?.([...this.served.values()]);
  }

  private unserve(name: string): void {
    const served = this.served.get(name);
    if (!served) return;
    this.served.delete(name);
    setCustomMergeMeta(served.def, undefined);
    this.ctx.registry.removeCustom(name);
    this.onChange?.([...this.served.values()]);
  }

  /**
   * A plural or kind of the group already in use (upstream's naming controller): by a built-in resource, or
   * by another CRD's accepted names. Accepted names are stored, so the outcome does not depend on the order
   * CRDs are looked at (after a restart, the CRD that was refused stays refused).
   */
  private async nameConflict(crd: CustomResourceDefinition & StoredObject): Promise<Condition | undefined> {
    const { group, names } = crd.spec;
    const taken: { plural: string; kind: string }[] = [];
    for (const other of this.ctx.registry.defs) {
      if (other.group === group && ![...this.served.values()].some((s) => s.def === other)) taken.push(other);
    }
    for (const other of (await this.ctx.storage.list(this.def)).items) {
      const spec = (other as unknown as CustomResourceDefinition).spec;
      const accepted = (other as unknown as CustomResourceDefinition).status?.acceptedNames;
      if (other.metadata.name === crd.metadata.name || spec.group !== group || !accepted?.plural) continue;
      taken.push({ plural: accepted.plural, kind: accepted.kind });
    }
    for (const other of taken) {
      if (other.plural === names.plural) {
        return notAccepted('PluralConflict', `"${names.plural}" is already in use`);
      }
      if (other.kind === names.kind) {
        return notAccepted('KindConflict', `"${names.kind}" is already in use`);
      }
    }
    return undefined;
  }

  private async writeStatus(
    stored: StoredObject,
    status: NonNullable<CustomResourceDefinition['status']>,
  ): Promise<StoredObject> {
    const next = cloneJson(stored) as KubeObject;
    next.status = status;
    return (await updateCanonical(this.ctx, this.def, next, stored, {
      dryRun: false,
      apiVersion: 'apiextensions.k8s.io/v1',
      subresource: 'status',
    })) as StoredObject;
  }

  /** Deletes the custom resources of a deleted CRD; once none is left, drops the cleanup finalizer. */
  private async finalize(crd: StoredObject, def: ResourceDef): Promise<boolean> {
    if (!crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER)) return true;
    const page = await this.ctx.storage.list(def);
    for (const obj of page.items) {
      if (obj.metadata.deletionTimestamp) continue;
      try {
        await deleteCanonical(this.ctx, def, obj, { dryRun: false, propagationPolicy: 'Background' });
      } catch (err) {
        if (!hasReason(err, 'NotFound') && !hasReason(err, 'Conflict')) throw err;
      }
    }
    if ((await this.ctx.storage.list(def, { limit: 1 })).items.length > 0) return false;
    return this.dropCleanupFinalizer(crd);
  }

  private async dropCleanupFinalizer(crd: StoredObject): Promise<boolean> {
    if (!crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER)) return true;
    const next = cloneJson(crd) as KubeObject;
    next.metadata!.finalizers = crd.metadata.finalizers.filter((f) => f !== CRD_CLEANUP_FINALIZER);
    try {
      await updateCanonical(this.ctx, this.def, next, crd, {
        dryRun: false,
        apiVersion: 'apiextensions.k8s.io/v1',
      });
    } catch (err) {
      if (!hasReason(err, 'NotFound')) throw err;
    }
    return true;
  }
}

function notAccepted(reason: string, message: string): Condition {
  return { type: 'NamesAccepted', status: 'False', reason, message, lastTransitionTime: '' };
}

/** The status a CRD should have: accepted names and the conditions, keeping transition times that hold. */
function desiredStatus(
  crd: CustomResourceDefinition,
  conflict: Condition | undefined,
  now: string,
): NonNullable<CustomResourceDefinition['status']> {
  const old = crd.status ?? {};
  const names = crd.spec.names;
  const accepted = conflict ? (old.acceptedNames ?? { plural: '', kind: '' }) : { ...names };
  if (!conflict) {
    accepted.singular ??= names.kind.toLowerCase();
    accepted.listKind ??= `${names.kind}List`;
  }
  const wasEstablished = (old.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
  const conditions: Condition[] = [
    conflict ?? {
      type: 'NamesAccepted',
      status: 'True',
      reason: 'NoConflicts',
      message: 'no conflicts found',
      lastTransitionTime: '',
    },
  ];
  if (!conflict || wasEstablished) {
    conditions.push({
      type: 'Established',
      status: 'True',
      reason: 'InitialNamesAccepted',
      message: 'the initial names have been accepted',
      lastTransitionTime: '',
    });
  } else {
    conditions.push({
      type: 'Established',
      status: 'False',
      reason: 'NotAccepted',
      message: 'not all names are accepted',
      lastTransitionTime: '',
    });
  }
  for (const c of old.conditions ?? []) {
    if (c.type !== 'NamesAccepted' && c.type !== 'Established') conditions.push(c);
  }
  for (const c of conditions) {
    const before = (old.conditions ?? []).find((o) => o.type === c.type);
    c.lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : now;
  }
  const storage = crd.spec.versions.find((v) => v.storage)?.name;
  const storedVersions = [...(old.storedVersions ?? [])];
  if (storage && !storedVersions.includes(storage)) storedVersions.push(storage);
  return { ...old, acceptedNames: accepted, conditions, storedVersions };
}
