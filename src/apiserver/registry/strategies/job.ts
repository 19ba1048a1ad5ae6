/** Job (batch/v1) strategy: SetDefaults_Job, generated selector, ValidateJob/Update. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { labelSelectorFromObject, validateLabelSelector } from '../../../api/labels.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import {
  child,
  deepEqual,
  goStringMap,
  invalidRendered,
  nonNegative,
  obj,
  TEMPLATE_SELECTOR_MISMATCH,
  type Obj,
} from './util.js';
import { templateLabels } from './workload-validation.js';
import { checkIndexesFormat } from '../../../api/job-indexes.js';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const MAX_PARALLELISM_INDEXED = 100000;
const MAX_FAILED_INDEXES = 100000;
const MAX_SUCCESS_POLICY_RULES = 20;
const MAX_SUCCEEDED_INDEXES_LENGTH = 64 * 1024;
const MAX_INT32 = 2147483647;

/** Defaults for a Job's spec (also the parts that apply inside a CronJob's jobTemplate: the pod template). */
export function defaultJobSpec(spec: Obj): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism == null) spec.parallelism = 1;
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  if (spec.completionMode == null) spec.completionMode = 'NonIndexed';
  if (spec.suspend == null) spec.suspend = false;
  if (spec.podReplacementPolicy == null) {
    spec.podReplacementPolicy = spec.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed';
  }
  defaultPodTemplateSpec(spec.template);
}

function defaultJob(o: KubeObject): void {
  const spec = child(o, 'spec');
  defaultJobSpec(spec);
  const labels = templateLabels(spec.template);
  const meta = o.metadata ?? (o.metadata = {});
  if (labels && (!meta.labels || Object.keys(meta.labels).length === 0)) {
    meta.labels = { ...labels };
  }
}

function manualSelector(o: KubeObject): boolean {
  return obj(o.spec)?.manualSelector === true;
}

/**
 * generateSelector: label the template with the job's name and uid and select on the uid. Needs
 * metadata.uid, so it runs once the server has assigned it; idempotent.
 */
export function generateJobSelector(o: KubeObject): void {
  const uid = o.metadata?.uid;
  if (manualSelector(o) || !uid) return;
  const spec = child(o, 'spec');
  const tmeta = child(child(spec, 'template'), 'metadata');
  const hadLabels = obj(tmeta.labels) !== undefined;
  const labels = child(tmeta, 'labels');
  // Upstream's defaulting shares one map between the job's labels and the template's, so labels copied
  // from the template also receive the generated ones.
  const meta = o.metadata ?? (o.metadata = {});
  const shared = hadLabels && deepEqual(meta.labels, labels);
  const name = meta.name ?? '';
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (labels[k] === undefined) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL])
    if (labels[k] === undefined) labels[k] = uid;
  const matchLabels = child(child(spec, 'selector'), 'matchLabels');
  if (matchLabels[CONTROLLER_UID_LABEL] === undefined) matchLabels[CONTROLLER_UID_LABEL] = uid;
  if (shared) meta.labels = { ...labels };
}

function validateGeneratedSelector(o: KubeObject): FieldError[] {
  if (manualSelector(o)) return [];
  const labels = templateLabels(obj(o.spec)?.template);
  if (!labels) return [];
  const uid = o.metadata?.uid ?? '';
  const name = o.metadata?.name ?? '';
  const errs: FieldError[] = [];
  const base = 'spec.template.metadata.labels';
  const expect = (key: string, want: string): void => {
    if (labels[key] !== undefined && labels[key] !== want) {
      errs.push(invalidRendered(`${base}[${key}]`, goStringMap(labels), `must be '${want}'`));
    }
  };
  if (uid) {
    expect(LEGACY_CONTROLLER_UID_LABEL, uid);
    expect(CONTROLLER_UID_LABEL, uid);
    const matchLabels = obj(obj(obj(o.spec)?.selector)?.matchLabels);
    if (matchLabels && matchLabels[CONTROLLER_UID_LABEL] !== uid) {
      errs.push(
        invalidRendered(
          `spec.selector.matchLabels[${CONTROLLER_UID_LABEL}]`,
          goStringMap(matchLabels),
          `must be '${uid}'`,
        ),
      );
    }
  }
  expect(LEGACY_JOB_NAME_LABEL, name);
  expect(JOB_NAME_LABEL, name);
  return errs;
}

/** validateJobSpec: the part shared with CronJob job templates (no selector rules). */
export function validateJobSpecCommon(spec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const errs: FieldError[] = [];
  for (const k of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
    'maxFailedIndexes',
  ]) {
    errs.push(...nonNegative(s[k], `${path}.${k}`));
  }
  if (s.maxFailedIndexes != null && s.backoffLimitPerIndex == null) {
    errs.push(fieldErr.required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  if (s.completionMode != null) {
    if (s.completionMode !== 'NonIndexed' && s.completionMode !== 'Indexed') {
      errs.push(fieldErr.notSupported(`${path}.completionMode`, s.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (s.completionMode === 'Indexed') {
      if (s.completions == null)
        errs.push(fieldErr.required(`${path}.completions`, 'when completion mode is Indexed'));
      if (typeof s.parallelism === 'number' && s.parallelism > MAX_PARALLELISM_INDEXED) {
        errs.push(
          fieldErr.invalid(
            `${path}.parallelism`,
            s.parallelism,
            `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`,
          ),
        );
      }
      const maxFailed = s.maxFailedIndexes;
      if (typeof maxFailed === 'number') {
        if (typeof s.completions === 'number' && maxFailed > s.completions) {
          errs.push(
            fieldErr.invalid(
              `${path}.maxFailedIndexes`,
              maxFailed,
              'must be less than or equal to completions',
            ),
          );
        }
        if (maxFailed > MAX_FAILED_INDEXES) {
          errs.push(
            fieldErr.invalid(
              `${path}.maxFailedIndexes`,
              maxFailed,
              `must be less than or equal to ${MAX_FAILED_INDEXES}`,
            ),
          );
        }
      }
    }
  }
  if (s.completionMode == null || s.completionMode === 'NonIndexed') {
    for (const k of ['backoffLimitPerIndex', 'maxFailedIndexes']) {
      if (s[k] != null) errs.push(fieldErr.invalid(`${path}.${k}`, s[k], 'requires indexed completion mode'));
    }
  }
  errs.push(...validatePodFailurePolicyActions(s, `${path}.podFailurePolicy`));
  if (s.successPolicy != null) {
    if (s.completionMode !== 'Indexed') {
      errs.push(
        fieldErr.invalid(`${path}.successPolicy`, s.successPolicy, 'requires indexed completion mode'),
      );
    } else {
      errs.push(...validateSuccessPolicy(s, `${path}.successPolicy`));
    }
  }
  if (s.podReplacementPolicy != null && s.podFailurePolicy != null && s.podReplacementPolicy !== 'Failed') {
    errs.push(fieldErr.notSupported(`${path}.podReplacementPolicy`, s.podReplacementPolicy, ['Failed']));
  } else if (
    s.podReplacementPolicy != null &&
    s.podReplacementPolicy !== 'TerminatingOrFailed' &&
    s.podReplacementPolicy !== 'Failed'
  ) {
    errs.push(
      fieldErr.notSupported(`${path}.podReplacementPolicy`, s.podReplacementPolicy, [
        'Failed',
        'TerminatingOrFailed',
      ]),
    );
  }
  errs.push(...validatePodTemplateSpec(s.template, `${path}.template`));
  const restart = obj(obj(s.template)?.spec)?.restartPolicy ?? '';
  const rp = `${path}.template.spec.restartPolicy`;
  if (restart === 'Always' || restart === '') {
    errs.push(fieldErr.required(rp, 'valid values: "OnFailure", "Never"'));
  } else if (restart !== 'OnFailure' && restart !== 'Never') {
    errs.push(fieldErr.notSupported(rp, restart, ['OnFailure', 'Never']));
  } else if (s.podFailurePolicy != null && restart !== 'Never') {
    errs.push(fieldErr.invalid(rp, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

/** FailIndex marks only its index failed, so it needs per-index backoff. */
function validatePodFailurePolicyActions(s: Obj, path: string): FieldError[] {
  const rules = obj(s.podFailurePolicy)?.rules;
  if (!Array.isArray(rules)) return [];
  const errs: FieldError[] = [];
  rules.forEach((rule: unknown, i) => {
    if (obj(rule)?.action === 'FailIndex' && s.backoffLimitPerIndex == null) {
      errs.push(
        fieldErr.invalid(
          `${path}.rules[${i}].action`,
          'FailIndex',
          'requires the backoffLimitPerIndex to be set',
        ),
      );
    }
  });
  return errs;
}

function validateSuccessPolicy(s: Obj, path: string): FieldError[] {
  const rules = obj(s.successPolicy)?.rules;
  const list = Array.isArray(rules) ? (rules as unknown[]) : [];
  const completions = typeof s.completions === 'number' ? s.completions : 0;
  const errs: FieldError[] = [];
  if (list.length === 0) {
    errs.push(
      fieldErr.required(
        `${path}.rules`,
        'at least one rules must be specified when the successPolicy is specified',
      ),
    );
  }
  if (list.length > MAX_SUCCESS_POLICY_RULES) {
    errs.push(fieldErr.tooMany(`${path}.rules`, list.length, MAX_SUCCESS_POLICY_RULES));
  }
  list.forEach((r, i) => {
    const rule = obj(r) ?? {};
    const rulePath = `${path}.rules[${i}]`;
    const indexes = rule.succeededIndexes;
    const count = rule.succeededCount;
    if (indexes == null && count == null) {
      errs.push(
        fieldErr.required(rulePath, 'at least one of succeededCount or succeededIndexes must be specified'),
      );
    }
    let total = 0;
    if (typeof indexes === 'string') {
      if (indexes.length > MAX_SUCCEEDED_INDEXES_LENGTH) {
        errs.push(fieldErr.tooLong(`${rulePath}.succeededIndexes`, MAX_SUCCEEDED_INDEXES_LENGTH));
      }
      const parsed = checkIndexesFormat(indexes, completions);
      if ('error' in parsed) {
        errs.push(
          fieldErr.invalid(
            `${rulePath}.succeededIndexes`,
            indexes,
            `error parsing succeededIndexes: ${parsed.error}`,
          ),
        );
      } else total = parsed.total;
    }
    if (typeof count === 'number') {
      const countPath = `${rulePath}.succeededCount`;
      errs.push(...nonNegative(count, countPath));
      if (count > completions) {
        errs.push(
          fieldErr.invalid(
            countPath,
            count,
            `must be less than or equal to ${completions} (the number of specified completions)`,
          ),
        );
      }
      if (indexes != null && count > total) {
        errs.push(
          fieldErr.invalid(
            countPath,
            count,
            `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`,
          ),
        );
      }
    }
  });
  return errs;
}

export function validateJobSpec(spec: unknown, path: string): FieldError[] {
  const s = obj(spec) ?? {};
  const errs = validateJobSpecCommon(spec, path);
  if (s.selector == null) {
    errs.push(fieldErr.required(`${path}.selector`));
    return errs;
  }
  const selErrs = validateLabelSelector(s.selector, `${path}.selector`);
  errs.push(...selErrs);
  if (selErrs.length === 0) {
    const labels = templateLabels(s.template);
    let matches = true;
    try {
      matches = labelSelectorFromObject(obj(s.selector)).matches(labels);
    } catch {
      // Reported by validateLabelSelector.
    }
    if (!matches)
      errs.push(
        invalidRendered(`${path}.template.metadata.labels`, goStringMap(labels), TEMPLATE_SELECTOR_MISMATCH),
      );
  }
  return errs;
}

function validateJobSpecUpdate(spec: Obj, old: Obj): FieldError[] {
  return [
    ...validateImmutableField(spec.completions, old.completions, 'spec.completions'),
    ...validateImmutableField(spec.selector, old.selector, 'spec.selector'),
    ...validateImmutableField(spec.template, old.template, 'spec.template'),
    ...validateImmutableField(spec.completionMode, old.completionMode, 'spec.completionMode'),
    ...validateImmutableField(spec.podFailurePolicy, old.podFailurePolicy, 'spec.podFailurePolicy'),
    ...validateImmutableField(
      spec.backoffLimitPerIndex,
      old.backoffLimitPerIndex,
      'spec.backoffLimitPerIndex',
    ),
    ...validateImmutableField(spec.successPolicy, old.successPolicy, 'spec.successPolicy'),
  ];
}

export const jobStrategy: Strategy = makeStrategy(
  { initialStatus: () => ({}) },
  {
    defaults: defaultJob,
    prepareForCreate: generateJobSelector,
    validateSpec(o) {
      // Upstream generates the selector at validation time, once the uid exists.
      generateJobSelector(o);
      return [...validateGeneratedSelector(o), ...validateJobSpec(o.spec, 'spec')];
    },
    validateSpecUpdate: (o, old) => validateJobSpecUpdate(obj(o.spec) ?? {}, obj(old.spec) ?? {}),
  },
);
