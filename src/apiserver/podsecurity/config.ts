/**
 * The PodSecurity plugin's configuration from kube-apiserver's `--admission-control-config-file`: an
 * AdmissionConfiguration whose `PodSecurity` entry holds (inline, or in the file its `path` names) a
 * PodSecurityConfiguration: the cluster's default levels for namespaces without labels, and users, runtime
 * classes and namespaces exempt from every check. Validated as upstream; an error stops the server at start.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isDNS1123Label, isDNS1123Subdomain } from '../../api/validation/names.js';
import { yaml } from '../../util/yaml.js';
import { namespacePolicy, type NamespacePolicy } from './namespace-policy.js';

export interface PodSecurityExemptions {
  usernames: string[];
  namespaces: string[];
  runtimeClasses: string[];
}

export interface PodSecurityConfig {
  defaults: NamespacePolicy;
  exemptions: PodSecurityExemptions;
}

const ADMISSION_CONFIG_VERSIONS = ['apiserver.config.k8s.io/v1', 'apiserver.k8s.io/v1alpha1'];
const POD_SECURITY_CONFIG_VERSIONS = [
  'pod-security.admission.config.k8s.io/v1',
  'pod-security.admission.config.k8s.io/v1beta1',
  'pod-security.admission.config.k8s.io/v1alpha1',
];
const DEFAULT_KEYS = ['enforce', 'enforce-version', 'audit', 'audit-version', 'warn', 'warn-version'];

/** The PodSecurity configuration the file gives (undefined when it has no PodSecurity entry). */
export function readAdmissionControlConfig(path: string): PodSecurityConfig | undefined {
  const doc = parseDocument(readFileSync(path, 'utf8'), path);
  if (doc.kind !== 'AdmissionConfiguration' || !ADMISSION_CONFIG_VERSIONS.includes(String(doc.apiVersion))) {
    throw new Error(
      `${path}: expected kind AdmissionConfiguration of ${ADMISSION_CONFIG_VERSIONS.join(' or ')}, ` +
        `not ${String(doc.kind)} of ${String(doc.apiVersion)}`,
    );
  }
  const plugins = Array.isArray(doc.plugins) ? (doc.plugins as Record<string, unknown>[]) : [];
  const entry = plugins.find((p) => p?.name === 'PodSecurity');
  if (!entry) return undefined;
  let configuration = entry.configuration as Record<string, unknown> | undefined;
  if (!configuration && typeof entry.path === 'string') {
    const file = resolve(dirname(path), entry.path);
    configuration = parseDocument(readFileSync(file, 'utf8'), file);
  }
  return podSecurityConfig(configuration ?? {}, path);
}

function parseDocument(text: string, path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = yaml().parse(text);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${path}: not an object`);
  return doc as Record<string, unknown>;
}

/** A PodSecurityConfiguration, defaulted (privileged, latest) and validated as upstream. */
export function podSecurityConfig(doc: Record<string, unknown>, source: string): PodSecurityConfig {
  const kind = doc.kind ?? 'PodSecurityConfiguration';
  const apiVersion = doc.apiVersion ?? POD_SECURITY_CONFIG_VERSIONS[0];
  if (kind !== 'PodSecurityConfiguration' || !POD_SECURITY_CONFIG_VERSIONS.includes(apiVersion as string)) {
    throw new Error(
      `${source}: PodSecurity: expected kind PodSecurityConfiguration of ${POD_SECURITY_CONFIG_VERSIONS.join(', ')}`,
    );
  }
  const errors: string[] = [];
  const defaults = (doc.defaults ?? {}) as Record<string, unknown>;
  const labels: Record<string, string> = {};
  for (const key of DEFAULT_KEYS) {
    const value = defaults[key];
    // YAML may read a version such as v1.30 as text and a level only as text; anything else is invalid.
    if (typeof value === 'string' || typeof value === 'number') {
      if (value !== '') labels[`pod-security.kubernetes.io/${key}`] = String(value);
    } else if (value !== undefined && value !== null) {
      errors.push(`defaults.${key}: Invalid value: ${JSON.stringify(value)}: must be a string`);
    }
  }
  const parsed = namespacePolicy(labels);
  for (const e of parsed.errors) {
    errors.push(
      `${e.field.replace(/^metadata\.labels\[pod-security\.kubernetes\.io\/(.*)\]$/, 'defaults.$1')}: ${e.message}`,
    );
  }
  const exemptions = (doc.exemptions ?? {}) as Record<string, unknown>;
  const list = (name: string, check: (v: string) => string[]): string[] => {
    const values = Array.isArray(exemptions[name]) ? (exemptions[name] as unknown[]).map(String) : [];
    const seen = new Set<string>();
    values.forEach((v, i) => {
      const path = `exemptions.${name}[${i}]`;
      const problems = check(v);
      if (v === '') errors.push(`${path}: Required value`);
      else if (problems.length > 0)
        errors.push(`${path}: Invalid value: ${JSON.stringify(v)}: ${problems.join(', ')}`);
      else if (seen.has(v)) errors.push(`${path}: Duplicate value: ${JSON.stringify(v)}`);
      seen.add(v);
    });
    return values;
  };
  const config: PodSecurityConfig = {
    defaults: parsed.policy,
    exemptions: {
      namespaces: list('namespaces', isDNS1123Label),
      runtimeClasses: list('runtimeClasses', isDNS1123Subdomain),
      usernames: list('usernames', () => []),
    },
  };
  if (errors.length > 0) throw new Error(`${source}: PodSecurity: ${errors.join('; ')}`);
  return config;
}
