/** Pod and PodTemplate strategies (pkg/registry/core/pod/strategy.go, core/v1 defaults, core validation). */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { tryParseQuantity } from '../../../api/quantity.js';
import { inclusiveRangeError } from '../../../api/validation/names.js';
import type { Strategy } from '../types.js';
import { mergeMatchLabelKeys } from './affinity-validation.js';
import { makeStrategy } from './common.js';
import { defaultPodOnly, defaultPodSpec, defaultPodTemplateSpec } from './pod-defaults.js';
import { prepareForEphemeralContainersUpdate, validateEphemeralContainersUpdate } from './pod-ephemeral.js';
import {
  applySchedulingGatedCondition,
  validateGatedPodCreate,
  validateSchedulingGatesUpdate,
} from './pod-scheduling-gates.js';
import { validatePodSpec, validatePodTemplateSpec } from './pod-validation.js';
import { arr, child, clone, deepEqual, obj, type Obj } from './util.js';

const MAX_INT32 = 2147483647;

/** Status.qosClass as pkg/apis/core/helper/qos: Guaranteed, Burstable or BestEffort. */
export function podQOSClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...arr(spec.initContainers), ...arr(spec.containers)].map((c) => obj(c) ?? {});
  let anySet = false;
  let guaranteed = true;
  const hasValue = (list: Obj | undefined, k: string): boolean => {
    const r = list ? tryParseQuantity(list[k]) : { error: '' };
    return 'quantity' in r && r.quantity.nanos !== 0n;
  };
  for (const c of containers) {
    const requests = obj(obj(c.resources)?.requests);
    const limits = obj(obj(c.resources)?.limits);
    for (const k of ['cpu', 'memory']) {
      if (hasValue(requests, k) || hasValue(limits, k)) anySet = true;
      if (!hasValue(limits, k)) guaranteed = false;
      else if (requests && requests[k] !== undefined) {
        const a = tryParseQuantity(requests[k]);
        const b = tryParseQuantity(limits?.[k]);
        if (!('quantity' in a) || !('quantity' in b) || a.quantity.nanos !== b.quantity.nanos)
          guaranteed = false;
      }
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/**
 * The ServiceAccount admission plugin's defaulting half: pods run as `default` unless they say otherwise
 * (the deprecated serviceAccount field mirrors it). The existence check and token volume are not done here.
 */
function defaultServiceAccount(spec: Obj): void {
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
}

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Top-level spec fields that differ, rendered as a short diff after upstream's message. */
function specDiff(oldSpec: Obj, newSpec: Obj): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    if (deepEqual(oldSpec[k], newSpec[k])) continue;
    if (oldSpec[k] !== undefined) lines.push(`-  ${k}: ${JSON.stringify(oldSpec[k])}`);
    if (newSpec[k] !== undefined) lines.push(`+  ${k}: ${JSON.stringify(newSpec[k])}`);
  }
  return `  core.PodSpec{\n${lines.join('\n')}\n  }\n`;
}

function validateContainerUpdates(
  newList: unknown[],
  oldList: unknown[],
  path: string,
): { errs: FieldError[]; stop: boolean } {
  if (newList.length !== oldList.length) {
    return { errs: [fieldErr.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  }
  const errs: FieldError[] = [];
  newList.forEach((c, i) => {
    const image = obj(c)?.image;
    if (typeof image !== 'string' || image === '') errs.push(fieldErr.required(`${path}[${i}].image`));
  });
  return { errs, stop: false };
}

/** ValidatePodUpdate's spec rules: only images, activeDeadlineSeconds, added tolerations and a few more may change. */
export function validatePodSpecUpdate(newSpec: Obj, oldSpec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['containers', 'initContainers'] as const) {
    const r = validateContainerUpdates(arr(newSpec[key]), arr(oldSpec[key]), `spec.${key}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const newAds = newSpec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (newAds !== undefined && newAds !== null) {
    if (typeof newAds !== 'number' || newAds < 0 || newAds > MAX_INT32) {
      return [
        ...errs,
        fieldErr.invalid('spec.activeDeadlineSeconds', newAds, inclusiveRangeError(0, MAX_INT32)),
      ];
    }
    if (typeof oldAds === 'number' && oldAds < newAds) {
      return [
        ...errs,
        fieldErr.invalid(
          'spec.activeDeadlineSeconds',
          newAds,
          'must be less than or equal to previous value',
        ),
      ];
    }
  } else if (oldAds !== undefined && oldAds !== null) {
    errs.push(
      fieldErr.invalid(
        'spec.activeDeadlineSeconds',
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }
  const oldTolerations = arr(oldSpec.tolerations);
  const newTolerations = arr(newSpec.tolerations);
  for (const t of oldTolerations) {
    const tol = obj(t) ?? {};
    const kept = newTolerations.some((n) => {
      const nt = obj(n) ?? {};
      // Only tolerationSeconds may shrink on an existing NoExecute toleration.
      const { tolerationSeconds: a, ...restOld } = tol;
      const { tolerationSeconds: b, ...restNew } = nt;
      if (!deepEqual(restOld, restNew)) return false;
      if (a === undefined || a === null) return b === undefined || b === null;
      return typeof b === 'number' && b <= a;
    });
    if (!kept) {
      errs.push(
        fieldErr.forbidden(
          'spec.tolerations',
          'existing toleration can not be modified except its tolerationSeconds',
        ),
      );
      break;
    }
  }
  // Compare what is left once the mutable fields are taken from the old spec.
  const munged = clone(newSpec);
  for (const key of ['containers', 'initContainers']) {
    arr(munged[key]).forEach((c, i) => {
      const oldC = obj(arr(oldSpec[key])[i]);
      const mc = obj(c);
      if (mc && oldC) mc.image = oldC.image;
    });
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  errs.push(...validateSchedulingGatesUpdate(munged, oldSpec));
  if (
    typeof oldSpec.terminationGracePeriodSeconds === 'number' &&
    oldSpec.terminationGracePeriodSeconds < 0 &&
    newSpec.terminationGracePeriodSeconds === 1
  ) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if (!deepEqual(munged, oldSpec)) {
    errs.push(fieldErr.forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n${specDiff(oldSpec, munged)}`));
  }
  return errs;
}

const podOpts = {
  initialStatus: () => ({ phase: 'Pending' }),
};

const podBase = makeStrategy(podOpts, {
  defaults(o) {
    const spec = child(o, 'spec');
    defaultPodSpec(spec);
    defaultPodOnly(spec);
  },
  prepareForCreate(o) {
    const spec = child(o, 'spec');
    // Mirror pods run as no account, as the upstream plugin leaves them (NodeRestriction requires it).
    if (o.metadata?.annotations?.[MIRROR_POD_ANNOTATION] === undefined) defaultServiceAccount(spec);
    (o.status as Obj).qosClass = podQOSClass(spec);
    mergeMatchLabelKeys(o);
    applySchedulingGatedCondition(o);
  },
  validateSpec: (o) => [...validatePodSpec(o.spec, 'spec'), ...validateGatedPodCreate(obj(o.spec) ?? {})],
  validateSpecUpdate: (o, old) => validatePodSpecUpdate(obj(o.spec) ?? {}, obj(old.spec) ?? {}),
});

export const podStrategy: Strategy = {
  ...podBase,
  /** pods/status may change status and metadata, but never spec or ownerReferences (upstream podStatusStrategy). */
  prepareForStatusUpdate(o: KubeObject, old: KubeObject) {
    o.spec = clone(old.spec);
    const meta = o.metadata ?? (o.metadata = {});
    if (old.metadata?.ownerReferences) meta.ownerReferences = clone(old.metadata.ownerReferences);
    else delete meta.ownerReferences;
  },
  partialUpdates: {
    ephemeralcontainers: {
      prepareForUpdate: prepareForEphemeralContainersUpdate,
      validateUpdate: validateEphemeralContainersUpdate,
    },
  },
};

export const podTemplateStrategy: Strategy = makeStrategy(
  {},
  {
    defaults: (o) => defaultPodTemplateSpec(o.template),
    validateSpec: (o) => validatePodTemplateSpec(o.template, 'template'),
  },
);
