/**
 * PodSpec `affinity` validation as pkg/apis/core/validation (Kubernetes 1.32): validateAffinity and the node
 * selector, preferred-term and pod (anti-)affinity term rules beneath it, with upstream's field paths and
 * messages. Also the pod-create half of matchLabelKeys / mismatchLabelKeys (the registry's
 * mutatePodAffinity), which turns those keys into labelSelector requirements.
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateLabelSelector } from '../../../api/labels.js';
import { isDNS1123Subdomain } from '../../../api/validation/names.js';
import { str, validateDNSLabel, validateQualifiedName } from './core-common.js';
import { arr, obj, present, type Obj } from './util.js';

const WEIGHT_RANGE = 'must be in the range 1-100';
export const LABEL_KEYS_NEED_SELECTOR = 'must not be specified when labelSelector is not set';
export const IN_BOTH_KEYS_AND_SELECTOR = 'exists in both matchLabelKeys and labelSelector';

/** A preferred term's weight: 1..100. */
function weightErrors(value: unknown, path: string): FieldError[] {
  const weight = typeof value === 'number' ? value : 0;
  return weight <= 0 || weight > 100 ? [fieldErr.invalid(path, weight, WEIGHT_RANGE)] : [];
}

/** The only field a node field selector may name, with the check its values get (ValidateNodeName). */
const NODE_FIELD_SELECTOR_KEYS: Record<string, (v: string) => string[]> = {
  'metadata.name': isDNS1123Subdomain,
};

/** ValidateNodeSelectorRequirement (matchExpressions on node labels). Values are not format-checked in 1.32. */
function validateNodeSelectorRequirement(req: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const count = arr(req.values).length;
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (count === 0)
        errs.push(
          fieldErr.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"),
        );
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (count > 0) {
        errs.push(
          fieldErr.forbidden(
            `${path}.values`,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
      break;
    case 'Gt':
    case 'Lt':
      if (count !== 1) {
        errs.push(
          fieldErr.required(
            `${path}.values`,
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
          ),
        );
      }
      break;
    default:
      errs.push(fieldErr.invalid(`${path}.operator`, str(req.operator), 'not a valid selector operator'));
  }
  errs.push(...validateQualifiedName(str(req.key), `${path}.key`));
  return errs;
}

/** ValidateNodeFieldSelectorRequirement (matchFields): only `metadata.name`, with exactly one In/NotIn value. */
function validateNodeFieldSelectorRequirement(req: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(req.values);
  if (req.operator === 'In' || req.operator === 'NotIn') {
    if (values.length !== 1) {
      errs.push(
        fieldErr.required(
          `${path}.values`,
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        ),
      );
    }
  } else {
    errs.push(fieldErr.invalid(`${path}.operator`, str(req.operator), 'not a valid selector operator'));
  }
  const key = str(req.key);
  const check = Object.prototype.hasOwnProperty.call(NODE_FIELD_SELECTOR_KEYS, key)
    ? NODE_FIELD_SELECTOR_KEYS[key]
    : undefined;
  if (!check) {
    errs.push(fieldErr.invalid(`${path}.key`, key, 'not a valid field selector key'));
  } else {
    values.forEach((v, i) => {
      const value = str(v);
      for (const m of check(value)) errs.push(fieldErr.invalid(`${path}.values[${i}]`, value, m));
    });
  }
  return errs;
}

/** ValidateNodeSelectorTerm. */
export function validateNodeSelectorTerm(term: unknown, path: string): FieldError[] {
  const t = obj(term);
  if (!t) return [];
  const errs: FieldError[] = [];
  arr(t.matchExpressions).forEach((r, j) => {
    errs.push(...validateNodeSelectorRequirement(obj(r) ?? {}, `${path}.matchExpressions[${j}]`));
  });
  arr(t.matchFields).forEach((r, j) => {
    errs.push(...validateNodeFieldSelectorRequirement(obj(r) ?? {}, `${path}.matchFields[${j}]`));
  });
  return errs;
}

/** ValidateNodeSelector: at least one term, each term valid. */
export function validateNodeSelector(selector: unknown, path: string): FieldError[] {
  const termsPath = `${path}.nodeSelectorTerms`;
  const terms = arr(obj(selector)?.nodeSelectorTerms);
  if (terms.length === 0) return [fieldErr.required(termsPath, 'must have at least one node selector term')];
  const errs: FieldError[] = [];
  terms.forEach((t, i) => errs.push(...validateNodeSelectorTerm(t, `${termsPath}[${i}]`)));
  return errs;
}

/** ValidatePreferredSchedulingTerms: weight 1..100 and a valid preference term. */
function validatePreferredSchedulingTerms(terms: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  terms.forEach((t, i) => {
    const term = obj(t) ?? {};
    errs.push(...weightErrors(term.weight, `${path}[${i}].weight`));
    errs.push(...validateNodeSelectorTerm(term.preference, `${path}[${i}].preference`));
  });
  return errs;
}

function validateNodeAffinity(na: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const required = na.requiredDuringSchedulingIgnoredDuringExecution;
  if (present(required)) {
    errs.push(...validateNodeSelector(required, `${path}.requiredDuringSchedulingIgnoredDuringExecution`));
  }
  const preferred = arr(na.preferredDuringSchedulingIgnoredDuringExecution);
  if (preferred.length > 0) {
    errs.push(
      ...validatePreferredSchedulingTerms(
        preferred,
        `${path}.preferredDuringSchedulingIgnoredDuringExecution`,
      ),
    );
  }
  return errs;
}

/** validateLabelKeys: label names, and only beside a labelSelector. */
function validateLabelKeys(keys: unknown[], selector: Obj | undefined, path: string): FieldError[] {
  if (keys.length === 0) return [];
  if (!selector) return [fieldErr.forbidden(path, LABEL_KEYS_NEED_SELECTOR)];
  const errs: FieldError[] = [];
  keys.forEach((k, i) => errs.push(...validateQualifiedName(str(k), `${path}[${i}]`)));
  return errs;
}

/**
 * validateMatchLabelKeysAndMismatchLabelKeys. A pod's matchLabelKeys were merged into its labelSelector on
 * create (mergeMatchLabelKeys), so a key the user also put in the selector shows up there twice: a
 * matchExpressions key already seen in matchLabels or an earlier expression. As upstream, that error's path
 * is the term's path indexed by the key's position (`…[0][1]`).
 */
function validateMatchLabelKeysAndMismatchLabelKeys(term: Obj, path: string): FieldError[] {
  const matchKeys = arr(term.matchLabelKeys);
  const mismatchKeys = arr(term.mismatchLabelKeys);
  if (matchKeys.length === 0 && mismatchKeys.length === 0) return [];
  const selector = obj(term.labelSelector);
  const errs = [
    ...validateLabelKeys(matchKeys, selector, `${path}.matchLabelKeys`),
    ...validateLabelKeys(mismatchKeys, selector, `${path}.mismatchLabelKeys`),
  ];
  if (selector) {
    const index = new Map<string, number>();
    matchKeys.forEach((k, i) => index.set(str(k), i));
    const seen = new Set(Object.keys(obj(selector.matchLabels) ?? {}));
    for (const e of arr(selector.matchExpressions)) {
      const key = str(obj(e)?.key);
      const i = index.get(key);
      if (i !== undefined && seen.has(key))
        errs.push(fieldErr.invalid(`${path}[${i}]`, key, IN_BOTH_KEYS_AND_SELECTOR));
      seen.add(key);
    }
  }
  const mismatch = new Set(mismatchKeys.map(str));
  matchKeys.forEach((k, i) => {
    const key = str(k);
    if (mismatch.has(key)) {
      errs.push(
        fieldErr.invalid(
          `${path}.matchLabelKeys[${i}]`,
          key,
          'exists in both matchLabelKeys and mismatchLabelKeys',
        ),
      );
    }
  });
  return errs;
}

/** validatePodAffinityTerm. */
function validatePodAffinityTerm(t: unknown, path: string): FieldError[] {
  const term = obj(t) ?? {};
  const errs = [
    ...validateLabelSelector(term.labelSelector, `${path}.labelSelector`),
    ...validateLabelSelector(term.namespaceSelector, `${path}.namespaceSelector`),
  ];
  // Upstream reports bad entries of `namespaces` at `namespace`, without an index.
  for (const n of arr(term.namespaces)) errs.push(...validateDNSLabel(str(n), `${path}.namespace`));
  errs.push(...validateMatchLabelKeysAndMismatchLabelKeys(term, path));
  const topologyKey = str(term.topologyKey);
  if (topologyKey === '') errs.push(fieldErr.required(`${path}.topologyKey`, 'can not be empty'));
  errs.push(...validateQualifiedName(topologyKey, `${path}.topologyKey`));
  return errs;
}

/** validatePodAffinity / validatePodAntiAffinity: the same rules for both. */
function validatePodAffinityKind(pa: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const requiredPath = `${path}.requiredDuringSchedulingIgnoredDuringExecution`;
  arr(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
    errs.push(...validatePodAffinityTerm(t, `${requiredPath}[${i}]`));
  });
  const preferredPath = `${path}.preferredDuringSchedulingIgnoredDuringExecution`;
  arr(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((w, j) => {
    const weighted = obj(w) ?? {};
    errs.push(...weightErrors(weighted.weight, `${preferredPath}[${j}].weight`));
    errs.push(...validatePodAffinityTerm(weighted.podAffinityTerm, `${preferredPath}[${j}].podAffinityTerm`));
  });
  return errs;
}

/** validateAffinity: `path` is the affinity's own path, e.g. `spec.affinity`. Nothing to do when unset. */
export function validateAffinity(affinity: unknown, path: string): FieldError[] {
  const a = obj(affinity);
  if (!a) return [];
  const errs: FieldError[] = [];
  const nodeAffinity = obj(a.nodeAffinity);
  if (nodeAffinity) errs.push(...validateNodeAffinity(nodeAffinity, `${path}.nodeAffinity`));
  const podAffinity = obj(a.podAffinity);
  if (podAffinity) errs.push(...validatePodAffinityKind(podAffinity, `${path}.podAffinity`));
  const podAntiAffinity = obj(a.podAntiAffinity);
  if (podAntiAffinity) errs.push(...validatePodAffinityKind(podAntiAffinity, `${path}.podAntiAffinity`));
  return errs;
}

/** applyMatchLabelKeysAndMismatchLabelKeys: `key In (value)` / `key NotIn (value)` for the pod's own labels. */
function mergeTermLabelKeys(t: unknown, labels: Obj): void {
  const term = obj(t);
  if (!term) return;
  const matchKeys = arr(term.matchLabelKeys);
  const mismatchKeys = arr(term.mismatchLabelKeys);
  const selector = obj(term.labelSelector);
  // A nil labelSelector matches nothing, so there is nothing to narrow.
  if ((matchKeys.length === 0 && mismatchKeys.length === 0) || !selector) return;
  const added: Obj[] = [];
  const add = (keys: unknown[], operator: 'In' | 'NotIn'): void => {
    for (const k of keys) {
      const key = str(k);
      if (Object.prototype.hasOwnProperty.call(labels, key) && typeof labels[key] === 'string')
        added.push({ key, operator, values: [labels[key]] });
    }
  };
  add(matchKeys, 'In');
  add(mismatchKeys, 'NotIn');
  if (added.length === 0) return;
  selector.matchExpressions = [...arr(selector.matchExpressions), ...added];
}

/**
 * The pod registry's mutatePodAffinity (MatchLabelKeysInPodAffinity, on by default since 1.31): on Pod create,
 * every pod (anti-)affinity term's matchLabelKeys and mismatchLabelKeys become labelSelector requirements
 * built from the pod's labels. Pod templates are left alone; their pods get it when created.
 */
export function mergeMatchLabelKeys(pod: Obj): void {
  const affinity = obj(obj(pod.spec)?.affinity);
  if (!affinity) return;
  const labels = obj(obj(pod.metadata)?.labels) ?? {};
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const pa = obj(affinity[kind]);
    if (!pa) continue;
    for (const w of arr(pa.preferredDuringSchedulingIgnoredDuringExecution))
      mergeTermLabelKeys(obj(w)?.podAffinityTerm, labels);
    for (const t of arr(pa.requiredDuringSchedulingIgnoredDuringExecution)) mergeTermLabelKeys(t, labels);
  }
}
