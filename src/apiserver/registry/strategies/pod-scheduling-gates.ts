/**
 * Pod scheduling readiness (upstream KEP-3521, GA in 1.30): `spec.schedulingGates` keep a pod away from the
 * scheduler until every gate is removed. Gates may only be removed, and while a pod is gated its node
 * selector may gain entries and its required node affinity may narrow (KEP-3838).
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateQualifiedName } from './core-common.js';
import { arr, deepEqual, obj, type Obj } from './util.js';

export const SCHEDULING_GATED_MESSAGE = 'Scheduling is blocked due to non-empty scheduling gates';

/** validateSchedulingGates: qualified names, no duplicates. */
export function validateSchedulingGates(gates: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(gates).forEach((g, i) => {
    const name = obj(g)?.name;
    const value = typeof name === 'string' ? name : '';
    errs.push(...validateQualifiedName(value, `${path}[${i}].name`));
    if (seen.has(value)) errs.push(fieldErr.duplicate(`${path}[${i}]`, value));
    seen.add(value);
  });
  return errs;
}

/** On create: a pod that names its node has nothing left to schedule. */
export function validateGatedPodCreate(spec: Obj): FieldError[] {
  if (arr(spec.schedulingGates).length === 0 || !spec.nodeName) return [];
  return [fieldErr.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared')];
}

/** The PodScheduled=False condition a gated pod is created with (unless it brings its own). */
export function applySchedulingGatedCondition(pod: KubeObject): void {
  const spec = obj(pod.spec);
  if (!spec || arr(spec.schedulingGates).length === 0) return;
  const status = (pod.status ??= {}) as Obj;
  const conditions = arr(status.conditions);
  if (conditions.some((c) => obj(c)?.type === 'PodScheduled')) return;
  status.conditions = [
    ...conditions,
    {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: null,
      reason: 'SchedulingGated',
      message: SCHEDULING_GATED_MESSAGE,
    },
  ];
}

/**
 * The update rules for gates and, on a gated pod, the scheduling directives it may tighten. Returns the
 * errors, and sets in `munged` (the new spec, compared with the old one afterwards for forbidden changes)
 * the old values of what it has checked.
 */
export function validateSchedulingGatesUpdate(munged: Obj, oldSpec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const oldGates = new Set(arr(oldSpec.schedulingGates).map((g) => obj(g)?.name));
  arr(munged.schedulingGates).forEach((g, i) => {
    const name = obj(g)?.name;
    if (!oldGates.has(name)) {
      errs.push(
        fieldErr.forbidden(
          `spec.schedulingGates[${i}].name`,
          `only deletion is allowed, but found new scheduling gate '${String(name)}'`,
        ),
      );
    }
  });
  munged.schedulingGates = oldSpec.schedulingGates;
  if (oldGates.size === 0) return errs;

  if (!deepEqual(munged.nodeSelector, oldSpec.nodeSelector)) {
    const next = obj(munged.nodeSelector) ?? {};
    const kept = Object.entries(obj(oldSpec.nodeSelector) ?? {}).every(([k, v]) => next[k] === v);
    if (!kept) {
      errs.push(
        fieldErr.invalid(
          'spec.nodeSelector',
          next,
          'only additions to spec.nodeSelector are allowed (no mutations or deletions)',
        ),
      );
    }
    munged.nodeSelector = oldSpec.nodeSelector;
  }

  const oldAffinity = obj(obj(oldSpec.affinity)?.nodeAffinity);
  const newAffinity = obj(obj(munged.affinity)?.nodeAffinity);
  if (!deepEqual(oldAffinity, newAffinity)) {
    errs.push(...validateNodeAffinityNarrowing(newAffinity, oldAffinity));
    const affinity: Obj = { ...(obj(munged.affinity) ?? {}), nodeAffinity: oldAffinity };
    if (oldAffinity === undefined) delete affinity.nodeAffinity;
    // Node affinity added to a pod that had no affinity at all: nothing else may have changed.
    if (oldSpec.affinity === undefined && Object.keys(affinity).length === 0) delete munged.affinity;
    else munged.affinity = affinity;
  }
  return errs;
}

/** Required node selector terms may only gain expressions (terms are ORed: none may be added or removed). */
function validateNodeAffinityNarrowing(next: Obj | undefined, old: Obj | undefined): FieldError[] {
  const path = 'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms';
  const oldTerms = arr(obj(old?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms);
  if (oldTerms.length === 0) return [];
  const newTerms = arr(obj(next?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms);
  if (newTerms.length !== oldTerms.length) {
    return [
      fieldErr.invalid(
        path,
        newTerms,
        'no additions/deletions to non-empty NodeSelectorTerms list are allowed',
      ),
    ];
  }
  const errs: FieldError[] = [];
  oldTerms.forEach((oldTerm, i) => {
    if (!onlyAdditions(obj(newTerms[i]) ?? {}, obj(oldTerm) ?? {})) {
      errs.push(
        fieldErr.invalid(
          `${path}[${i}]`,
          newTerms[i],
          'only additions are allowed (no mutations or deletions)',
        ),
      );
    }
  });
  return errs;
}

/** The old term's expressions and fields, in order, start the new term's. */
function onlyAdditions(next: Obj, old: Obj): boolean {
  for (const key of ['matchExpressions', 'matchFields']) {
    const before = arr(old[key]);
    const after = arr(next[key]);
    if (before.length > after.length) return false;
    if (!before.every((r, i) => deepEqual(r, after[i]))) return false;
  }
  return true;
}
