/**
 * Brings the stored RBAC objects in line with the default policy at every server start, as upstream's
 * rbac/bootstrap-roles post-start hook does. Each kind is listed once (namespaced kinds per namespace of the
 * policy), decisions are made in memory (reconcile-decisions.ts), and only the objects that differ are written,
 * all at once so that they share the store's commits. A restart over a reconciled store writes nothing.
 */
import { cloneJson, type KubeObject, type StoredObject } from '../../api/meta.js';
import type { ResourceDef } from '../registry/types.js';
import type { ApiContext } from '../rest/context.js';
import { deleteCanonical } from '../rest/delete.js';
import { createCanonical, updateCanonical, type WriteOptions } from '../rest/write.js';
import { racedWithAnotherWriter } from '../storage/object-storage.js';
import { bootstrapPolicy, type BootstrapPolicy } from './bootstrap-policy.js';
import {
  reconcileBinding,
  reconcileRole,
  type BindingLike,
  type Decision,
  type RoleLike,
} from './reconcile-decisions.js';
import { RBAC_GROUP } from './policy-rule.js';

export interface ReconcileSummary {
  created: number;
  updated: number;
  recreated: number;
  /** Objects that could not be reconciled (logged); the server starts anyway. */
  failed: number;
}

const WRITE_OPTIONS: WriteOptions = {
  dryRun: false,
  apiVersion: `${RBAC_GROUP}/v1`,
  fieldManager: 'tugboat-apiserver',
};

type Decide = (stored: KubeObject | undefined, expected: KubeObject) => Decision<KubeObject>;

const decideRole: Decide = (stored, expected) => reconcileRole<RoleLike>(stored, expected);
const decideBinding: Decide = (stored, expected) =>
  reconcileBinding<BindingLike>(stored as BindingLike | undefined, expected as BindingLike);

interface Work {
  def: ResourceDef;
  expected: KubeObject;
  stored: StoredObject | undefined;
  decide: Decide;
}

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }): string =>
  `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** The stored objects of `def` by `namespace/name`: all of them, or those of the given namespaces. */
async function storedByKey(
  ctx: ApiContext,
  def: ResourceDef,
  namespaces?: string[],
): Promise<Map<string, StoredObject>> {
  const pages = await Promise.all(
    (namespaces ?? [undefined]).map((namespace) =>
      ctx.storage.list(def, namespace === undefined ? {} : { namespace }),
    ),
  );
  return new Map(pages.flatMap((p) => p.items).map((o) => [keyOf(o), o]));
}

/** kubernetes-types objects as the server's own object type (their metadata types differ only in detail). */
const asObjects = (objects: object[]): KubeObject[] => objects as KubeObject[];

async function plan(ctx: ApiContext, policy: BootstrapPolicy): Promise<Work[]> {
  const kinds: { plural: string; objects: KubeObject[]; decide: Decide }[] = [
    { plural: 'clusterroles', objects: asObjects(policy.clusterRoles), decide: decideRole },
    { plural: 'clusterrolebindings', objects: asObjects(policy.clusterRoleBindings), decide: decideBinding },
    { plural: 'roles', objects: asObjects(policy.roles), decide: decideRole },
    { plural: 'rolebindings', objects: asObjects(policy.roleBindings), decide: decideBinding },
  ];
  const perKind = await Promise.all(
    kinds.map(async ({ plural, objects, decide }) => {
      const def = ctx.registry.mustGet(RBAC_GROUP, plural);
      const namespaces = def.namespaced
        ? [...new Set(objects.map((o) => o.metadata!.namespace!))]
        : undefined;
      const stored = await storedByKey(ctx, def, namespaces);
      return objects.map((expected): Work => ({
        def,
        expected,
        stored: stored.get(keyOf(expected)),
        decide,
      }));
    }),
  );
  return perKind.flat();
}

async function write(ctx: ApiContext, w: Work, decision: Decision<KubeObject>): Promise<void> {
  switch (decision.op) {
    case 'none':
      return;
    case 'create':
      await createCanonical(ctx, w.def, cloneJson(decision.object), WRITE_OPTIONS);
      return;
    case 'update':
      await updateCanonical(ctx, w.def, cloneJson(decision.object), w.stored!, WRITE_OPTIONS);
      return;
    case 'recreate':
      await deleteCanonical(ctx, w.def, w.stored!, {
        dryRun: false,
        preconditions: { uid: w.stored!.metadata.uid },
      });
      await createCanonical(ctx, w.def, cloneJson(decision.object), WRITE_OPTIONS);
  }
}

/** Reconciles one object; returns what was done. Retries from a fresh read when it raced another writer. */
async function reconcileOne(ctx: ApiContext, w: Work): Promise<Decision<KubeObject>['op']> {
  for (let attempt = 0; ; attempt++) {
    const decision = w.decide(w.stored, w.expected);
    try {
      await write(ctx, w, decision);
      return decision.op;
    } catch (err) {
      if (attempt >= 3 || !racedWithAnotherWriter(err)) throw err;
      const meta = w.expected.metadata!;
      w.stored = await ctx.storage.get(w.def, meta.namespace, meta.name!);
    }
  }
}

export async function reconcileBootstrapPolicy(
  ctx: ApiContext,
  policy: BootstrapPolicy = bootstrapPolicy(),
): Promise<ReconcileSummary> {
  const work = await plan(ctx, policy);
  const summary: ReconcileSummary = { created: 0, updated: 0, recreated: 0, failed: 0 };
  const logger = ctx.logger.child('rbac-bootstrap');
  await Promise.all(
    work.map(async (w) => {
      try {
        const op = await reconcileOne(ctx, w);
        if (op === 'create') summary.created++;
        else if (op === 'update') summary.updated++;
        else if (op === 'recreate') summary.recreated++;
      } catch (err) {
        // Upstream retries for 30 s and then stops the server; one object the reconciler cannot write (say, a
        // recreated binding a user's finalizer holds) should not keep the cluster from starting.
        summary.failed++;
        logger.warn(`unable to reconcile ${w.def.plural}.${RBAC_GROUP} ${keyOf(w.expected)}`, {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }),
  );
  if (summary.created + summary.updated + summary.recreated > 0)
    logger.info('default RBAC policy reconciled', { ...summary });
  return summary;
}
