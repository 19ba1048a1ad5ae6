/** PodSpec validation as pkg/apis/core/validation/validation.go (the fields users touch). */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { validateLabels } from '../../../api/labels.js';
import {
  inclusiveRangeError,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
} from '../../../api/validation/names.js';
import { validateAnnotations } from '../../../api/validation/object-meta.js';
import { validateAffinity } from './affinity-validation.js';
import { invalidRaw } from './core-common.js';
import { validateContainer, type PortKey } from './container-validation.js';
import { validatePVCSpec } from './core-persistentvolumeclaim.js';
import { volumeSources } from './pod-defaults.js';
import { validateHostAliases, validatePodDNSConfig, validateReadinessGates } from './pod-dns-validation.js';
import { validateSchedulingGates } from './pod-scheduling-gates.js';
import { validateTopologySpreadConstraints } from './topology-spread-validation.js';
import {
  validatePodHostNamespaces,
  validatePodOS,
  validatePodSecurityContext,
} from './security-context-validation.js';
import { arr, nonNegative, obj } from './util.js';

const MAX_INT32 = 2147483647;

export function validateRestartPolicy(policy: unknown, path: string): FieldError[] {
  if (policy === undefined || policy === null || policy === '') return [fieldErr.required(path)];
  if (policy === 'Always' || policy === 'OnFailure' || policy === 'Never') return [];
  return [fieldErr.notSupported(path, policy, ['Always', 'OnFailure', 'Never'])];
}

function validateVolumes(volumes: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(volumes).forEach((v, i) => {
    const p = `${path}[${i}]`;
    const vol = obj(v) ?? {};
    const name = typeof vol.name === 'string' ? vol.name : '';
    if (!name) errs.push(fieldErr.required(`${p}.name`));
    else for (const msg of isDNS1123Label(name)) errs.push(fieldErr.invalid(`${p}.name`, name, msg));
    if (name && names.has(name)) errs.push(fieldErr.duplicate(`${p}.name`, name));
    if (name) names.add(name);
    const sources = volumeSources(vol);
    if (sources.length === 0) errs.push(fieldErr.required(p, 'must specify a volume type'));
    else if (sources.length > 1) {
      errs.push(fieldErr.forbidden(`${p}.${sources[1]}`, 'may not specify more than 1 volume type'));
    }
    const pvc = obj(vol.persistentVolumeClaim);
    if (pvc && !pvc.claimName) errs.push(fieldErr.required(`${p}.persistentVolumeClaim.claimName`));
    const secret = obj(vol.secret);
    if (secret && !secret.secretName) errs.push(fieldErr.required(`${p}.secret.secretName`));
    const configMap = obj(vol.configMap);
    if (configMap && !configMap.name) errs.push(fieldErr.required(`${p}.configMap.name`));
    const hostPath = obj(vol.hostPath);
    if (hostPath && !hostPath.path) errs.push(fieldErr.required(`${p}.hostPath.path`));
    const ephemeral = obj(vol.ephemeral);
    if (ephemeral) errs.push(...validateEphemeralVolume(ephemeral, `${p}.ephemeral`));
  });
  return { errs, names };
}

/** A generic ephemeral volume: its claim template (upstream ValidatePersistentVolumeClaimTemplate). */
function validateEphemeralVolume(ephemeral: Record<string, unknown>, path: string): FieldError[] {
  const template = obj(ephemeral.volumeClaimTemplate);
  if (!template) return [fieldErr.required(`${path}.volumeClaimTemplate`)];
  const at = `${path}.volumeClaimTemplate`;
  const meta = obj(template.metadata) ?? {};
  return [
    ...validateLabels(meta.labels, `${at}.metadata.labels`),
    ...validateAnnotations(meta.annotations, `${at}.metadata.annotations`),
    ...validatePVCSpec(template.spec, `${at}.spec`),
  ];
}

/** Tolerations as upstream's ValidateTolerations (pods, RuntimeClass scheduling). */
export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(tolerations).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const tol = obj(t) ?? {};
    const key = typeof tol.key === 'string' ? tol.key : '';
    if (key) for (const m of isQualifiedName(key)) errs.push(fieldErr.invalid(`${p}.key`, key, m));
    if (!key && tol.operator !== 'Exists') {
      errs.push(
        fieldErr.invalid(
          `${p}.operator`,
          tol.operator ?? '',
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (tol.tolerationSeconds !== undefined && tol.tolerationSeconds !== null && tol.effect !== 'NoExecute') {
      errs.push(
        fieldErr.invalid(
          `${p}.effect`,
          tol.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    switch (tol.operator ?? '') {
      case '':
      case 'Equal':
        // Upstream reports a bad value at the operator, with the whole toleration and its messages joined.
        if (typeof tol.value === 'string') {
          const problems = isValidLabelValue(tol.value);
          if (problems.length > 0)
            errs.push(invalidRaw(`${p}.operator`, goToleration(tol), problems.join(';')));
        }
        break;
      case 'Exists':
        if (typeof tol.value === 'string' && tol.value !== '') {
          errs.push(
            invalidRaw(`${p}.operator`, goToleration(tol), "value must be empty when `operator` is 'Exists'"),
          );
        }
        break;
      default:
        errs.push(fieldErr.notSupported(`${p}.operator`, tol.operator, ['Equal', 'Exists']));
    }
    if (tol.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(tol.effect)) {
      errs.push(
        fieldErr.notSupported(`${p}.effect`, tol.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
      );
    }
  });
  return errs;
}

/**
 * Go's %#v of a toleration, as upstream prints it in these messages. Go shows tolerationSeconds as a pointer
 * address; its value says more.
 */
function goToleration(tol: Record<string, unknown>): string {
  const str = (v: unknown): string => JSON.stringify(typeof v === 'string' ? v : '');
  const seconds =
    typeof tol.tolerationSeconds === 'number' ? `(*int64)(${tol.tolerationSeconds})` : '(*int64)(nil)';
  return `core.Toleration{Key:${str(tol.key)}, Operator:${str(tol.operator)}, Value:${str(tol.value)}, Effect:${str(tol.effect)}, TolerationSeconds:${seconds}}`;
}

const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

/** ValidatePodSpec. `path` is where the spec sits, e.g. `spec` or `spec.template.spec`. */
export function validatePodSpec(spec: unknown, path: string): FieldError[] {
  const s = obj(spec);
  if (!s) return [fieldErr.required(path)];
  const { errs, names: volumeNames } = validateVolumes(s.volumes, `${path}.volumes`);
  const containerNames = new Set<string>();
  const hostPorts: PortKey = { seen: new Set() };
  arr(s.initContainers).forEach((c, i) => {
    errs.push(
      ...validateContainer(
        obj(c) ?? {},
        `${path}.initContainers[${i}]`,
        'initContainers',
        volumeNames,
        containerNames,
        hostPorts,
        s.hostUsers !== false,
      ),
    );
  });
  const containers = arr(s.containers);
  if (containers.length === 0) errs.push(fieldErr.required(`${path}.containers`));
  containers.forEach((c, i) => {
    errs.push(
      ...validateContainer(
        obj(c) ?? {},
        `${path}.containers[${i}]`,
        'containers',
        volumeNames,
        containerNames,
        hostPorts,
        s.hostUsers !== false,
      ),
    );
  });
  errs.push(...validateRestartPolicy(s.restartPolicy, `${path}.restartPolicy`));
  if (!s.dnsPolicy) errs.push(fieldErr.required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(s.dnsPolicy))
    errs.push(fieldErr.notSupported(`${path}.dnsPolicy`, s.dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  errs.push(...validatePodSecurityContext(s, path));
  errs.push(...validatePodDNSConfig(s.dnsConfig, s.dnsPolicy, `${path}.dnsConfig`));
  errs.push(...validateReadinessGates(s.readinessGates, `${path}.readinessGates`));
  errs.push(...validateSchedulingGates(s.schedulingGates, `${path}.schedulingGates`));
  errs.push(...validatePodHostNamespaces(s, path));
  for (const key of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    const v = s[key];
    if (typeof v === 'string' && v !== '')
      for (const m of isDNS1123Subdomain(v)) errs.push(fieldErr.invalid(`${path}.${key}`, v, m));
  }
  for (const key of ['hostname', 'subdomain']) {
    const v = s[key];
    if (typeof v === 'string' && v !== '')
      for (const m of isDNS1123Label(v)) errs.push(fieldErr.invalid(`${path}.${key}`, v, m));
  }
  errs.push(...validateAffinity(s.affinity, `${path}.affinity`));
  errs.push(
    ...validateTopologySpreadConstraints(s.topologySpreadConstraints, `${path}.topologySpreadConstraints`),
  );
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > MAX_INT32) {
      errs.push(fieldErr.invalid(`${path}.activeDeadlineSeconds`, v, inclusiveRangeError(1, MAX_INT32)));
    }
  }
  errs.push(...nonNegative(s.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`));
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  errs.push(...validateHostAliases(s.hostAliases, `${path}.hostAliases`));
  if (s.hostNetwork === true) {
    for (const key of ['initContainers', 'containers']) {
      arr(s[key]).forEach((c, i) => {
        arr(obj(c)?.ports).forEach((pt, j) => {
          const port = obj(pt) ?? {};
          if (port.hostPort !== undefined && port.hostPort !== port.containerPort) {
            errs.push(
              fieldErr.invalid(
                `${path}.${key}[${i}].ports[${j}].containerPort`,
                port.containerPort ?? 0,
                'must match `hostPort` when `hostNetwork` is true',
              ),
            );
          }
        });
      });
    }
  }
  errs.push(...validatePodOS(s, path));
  return errs;
}

/** ValidatePodTemplateSpec: template labels/annotations and its pod spec, at `path` (e.g. `spec.template`). */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t = obj(template);
  if (!t) return [fieldErr.required(path)];
  const meta = obj(t.metadata) ?? {};
  return [
    ...validateLabels(meta.labels, `${path}.metadata.labels`),
    ...validateAnnotations(meta.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(t.spec, `${path}.spec`),
  ];
}
