/**
 * The pods/ephemeralcontainers subresource (upstream podEphemeralContainersStrategy and
 * ValidatePodEphemeralContainersUpdate): it may add ephemeral containers and nothing else; existing ones never
 * change or go away.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { validateContainer } from './container-validation.js';
import { arr, clone, deepEqual, notFoundErr, obj, type Obj } from './util.js';

/** Fields an ephemeral container may not have (upstream allows a list of fields; these are the others). */
const FORBIDDEN = [
  'ports',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'resizePolicy',
  'restartPolicy',
];
const FORBIDDEN_MESSAGE = 'cannot be set for an Ephemeral Container';

/** Keeps the stored pod and takes only spec.ephemeralContainers from the request. */
export function prepareForEphemeralContainersUpdate(o: KubeObject, old: KubeObject): void {
  const ephemeral = clone(obj(o.spec)?.ephemeralContainers);
  const meta = o.metadata ?? {};
  Object.assign(o, clone(old));
  o.metadata = {
    ...clone(old.metadata),
    ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
  };
  const spec = o.spec as Obj;
  if (ephemeral === undefined) delete spec.ephemeralContainers;
  else spec.ephemeralContainers = ephemeral;
}

export function validateEphemeralContainersUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const oldSpec = obj(old.spec) ?? {};
  const errs: FieldError[] = [];
  const volumes = new Set(arr(spec.volumes).map((v) => String(obj(v)?.name ?? '')));
  const targets = new Set(
    [...arr(spec.containers), ...arr(spec.initContainers)].map((c) => String(obj(c)?.name)),
  );
  const names = new Set(targets);
  arr(spec.ephemeralContainers).forEach((raw, i) => {
    const c = obj(raw) ?? {};
    const path = `spec.ephemeralContainers[${i}]`;
    const allowed: Obj = { ...c };
    for (const f of FORBIDDEN) {
      if (c[f] === undefined || c[f] === null) continue;
      errs.push(fieldErr.forbidden(`${path}.${f}`, FORBIDDEN_MESSAGE));
      delete allowed[f];
    }
    const resources = obj(c.resources);
    if (resources && (obj(resources.limits) || obj(resources.requests))) {
      errs.push(fieldErr.forbidden(`${path}.resources`, FORBIDDEN_MESSAGE));
    }
    delete allowed.resources;
    arr(c.volumeMounts).forEach((m, j) => {
      if (obj(m)?.subPath)
        errs.push(fieldErr.forbidden(`${path}.volumeMounts[${j}].subPath`, FORBIDDEN_MESSAGE));
    });
    errs.push(
      ...validateContainer(
        allowed,
        path,
        'initContainers',
        volumes,
        names,
        { seen: new Set() },
        spec.hostUsers !== false,
      ),
    );
    const target = c.targetContainerName;
    if (typeof target === 'string' && target !== '' && !targets.has(target)) {
      errs.push(notFoundErr(`${path}.targetContainerName`, target));
    }
  });
  const byName = new Map(arr(spec.ephemeralContainers).map((c) => [String(obj(c)?.name), c]));
  for (const before of arr(oldSpec.ephemeralContainers)) {
    const name = String(obj(before)?.name);
    const now = byName.get(name);
    if (now === undefined) {
      errs.push(
        fieldErr.forbidden(
          'spec.ephemeralContainers',
          `existing ephemeral containers "${name}" may not be removed`,
        ),
      );
    } else if (!deepEqual(now, before)) {
      errs.push(
        fieldErr.forbidden(
          'spec.ephemeralContainers',
          `existing ephemeral containers "${name}" may not be changed`,
        ),
      );
    }
  }
  return errs;
}
