/** StatefulSet (apps/v1) strategy: SetDefaults_StatefulSet and ValidateStatefulSet/Update. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateLabels } from '../../../api/labels.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { defaultPodTemplateSpec, defaultResourceList } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { validateResourceRequirements } from './resource-validation.js';
import { arr, child, clone, deepEqual, nonNegative, obj, type Obj } from './util.js';
import {
  alwaysRestartNoDeadline,
  selectorMismatch,
  validateRequiredSelector,
} from './workload-validation.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

export function defaultStatefulSet(spec: Obj): void {
  setIfMissing(spec, 'podManagementPolicy', 'OrderedReady');
  const us = child(spec, 'updateStrategy');
  if (!us.type) {
    us.type = 'RollingUpdate';
    if (!obj(us.rollingUpdate)) us.rollingUpdate = {};
  }
  const ru = obj(us.rollingUpdate);
  if (us.type === 'RollingUpdate' && ru) setIfMissing(ru, 'partition', 0);
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  setIfMissing(retention, 'whenDeleted', 'Retain');
  setIfMissing(retention, 'whenScaled', 'Retain');
  setIfMissing(spec, 'replicas', 1);
  setIfMissing(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(spec.template);
  for (const t of arr(spec.volumeClaimTemplates)) {
    const pvc = obj(t);
    if (!pvc) continue;
    const pvcSpec = child(pvc, 'spec');
    setIfMissing(pvcSpec, 'volumeMode', 'Filesystem');
    const res = obj(pvcSpec.resources);
    if (res) {
      defaultResourceList(res.requests);
      defaultResourceList(res.limits);
    }
    if (!obj(pvc.status)) pvc.status = { phase: 'Pending' };
  }
}

function setIfMissing(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
}

function validateClaimTemplates(templates: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(templates).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const pvc = obj(t) ?? {};
    const meta = obj(pvc.metadata) ?? {};
    if (!meta.name) errs.push(fieldErr.required(`${p}.metadata.name`, 'name or generateName is required'));
    errs.push(...validateLabels(meta.labels, `${p}.metadata.labels`));
    const spec = obj(pvc.spec) ?? {};
    const modes = arr(spec.accessModes);
    if (modes.length === 0)
      errs.push(fieldErr.required(`${p}.spec.accessModes`, 'at least 1 access mode is required'));
    modes.forEach((m) => {
      if (!ACCESS_MODES.includes(m))
        errs.push(fieldErr.notSupported(`${p}.spec.accessModes`, m, ACCESS_MODES));
    });
    const requests = obj(obj(spec.resources)?.requests);
    if (!requests || requests.storage === undefined)
      errs.push(fieldErr.required(`${p}.spec.resources[storage]`));
    errs.push(...validateResourceRequirements(spec.resources, `${p}.spec.resources`, false));
  });
  return errs;
}

export function validateStatefulSetSpec(spec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const errs: FieldError[] = [];
  switch (s.podManagementPolicy ?? '') {
    case '':
      errs.push(fieldErr.required(`${path}.podManagementPolicy`));
      break;
    case 'OrderedReady':
    case 'Parallel':
      break;
    default:
      errs.push(
        fieldErr.invalid(
          `${path}.podManagementPolicy`,
          s.podManagementPolicy,
          "must be 'OrderedReady' or 'Parallel'",
        ),
      );
  }
  const us = obj(s.updateStrategy) ?? {};
  switch (us.type ?? '') {
    case '':
      errs.push(fieldErr.required(`${path}.updateStrategy`));
      break;
    case 'OnDelete':
      if (us.rollingUpdate) {
        errs.push(
          fieldErr.invalid(
            `${path}.updateStrategy.rollingUpdate`,
            us.rollingUpdate,
            "only allowed for updateStrategy 'RollingUpdate'",
          ),
        );
      }
      break;
    case 'RollingUpdate':
      errs.push(
        ...nonNegative(obj(us.rollingUpdate)?.partition, `${path}.updateStrategy.rollingUpdate.partition`),
      );
      break;
    default:
      errs.push(fieldErr.invalid(`${path}.updateStrategy`, us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  errs.push(...nonNegative(s.revisionHistoryLimit, `${path}.revisionHistoryLimit`));
  const retention = obj(s.persistentVolumeClaimRetentionPolicy);
  if (retention) {
    for (const k of ['whenDeleted', 'whenScaled']) {
      if (retention[k] !== 'Retain' && retention[k] !== 'Delete') {
        errs.push(
          fieldErr.notSupported(`${path}.persistentVolumeClaimRetentionPolicy.${k}`, retention[k] ?? '', [
            'Retain',
            'Delete',
          ]),
        );
      }
    }
  }
  errs.push(...nonNegative(s.replicas, `${path}.replicas`));
  errs.push(...nonNegative(s.minReadySeconds, `${path}.minReadySeconds`));
  errs.push(...nonNegative(obj(s.ordinals)?.start, `${path}.ordinals.start`));
  const sel = validateRequiredSelector(s.selector, `${path}.selector`, 'statefulset');
  errs.push(...sel.errs);
  if (!obj(s.template)) errs.push(fieldErr.required(`${path}.template`));
  else {
    errs.push(...selectorMismatch(sel.selector, s.template, `${path}.template.metadata.labels`));
    errs.push(...validatePodTemplateSpec(s.template, `${path}.template`));
    errs.push(...alwaysRestartNoDeadline(s.template, `${path}.template`, 'StatefulSet'));
  }
  errs.push(...validateClaimTemplates(s.volumeClaimTemplates, `${path}.volumeClaimTemplates`));
  return errs;
}

const MUTABLE_SPEC_FIELDS = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'revisionHistoryLimit',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

export function validateStatefulSetSpecUpdate(spec: unknown, oldSpec: unknown): FieldError[] {
  const a = clone(obj(spec) ?? {});
  const b = clone(obj(oldSpec) ?? {});
  for (const k of MUTABLE_SPEC_FIELDS) {
    delete a[k];
    delete b[k];
  }
  // Claim templates' status is server-filled; compare what users wrote.
  for (const x of [a, b]) for (const t of arr(x.volumeClaimTemplates)) if (obj(t)) delete t.status;
  if (deepEqual(a, b)) return [];
  return [
    fieldErr.forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

export const statefulSetStrategy: Strategy = makeStrategy(
  {
    initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
  },
  {
    defaults: (o) => defaultStatefulSet(child(o, 'spec')),
    validateSpec: (o) => validateStatefulSetSpec(o.spec, 'spec'),
    validateSpecUpdate: (o, old) => validateStatefulSetSpecUpdate(o.spec, old.spec),
  },
);
