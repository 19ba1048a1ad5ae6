/**
 * A container's environment, after upstream kubelet_pods.go makeEnvironmentVariables: envFrom first (prefixed,
 * invalid names skipped with an event), then env in order, each value expanded against what came before.
 * Pure: the ConfigMaps and Secrets it reads are handed in (see referencedObjects).
 */
import type { ConfigMap, Container, Secret } from 'kubernetes-types/core/v1.js';
import type { KeyValue } from './cri/types.js';
import { fieldRefValue, resourceFieldRefValue, type DownwardContext } from './downward-api.js';
import { expand, mappingFor } from './expansion.js';

/** A container cannot start until its config is fixed: reason CreateContainerConfigError. */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

export interface EnvWarning {
  reason: string;
  message: string;
}

export interface EnvInput extends DownwardContext {
  container: Container;
  /** Undefined = the object does not exist. */
  configMap: (name: string) => ConfigMap | undefined;
  secret: (name: string) => Secret | undefined;
  /** Service link variables (KUBERNETES_SERVICE_HOST, …): added last unless the container sets them. */
  serviceEnv?: ReadonlyMap<string, string>;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isEnvVarName(name: string): boolean {
  return ENV_NAME.test(name);
}

/** The ConfigMaps and Secrets a container's env reads, to fetch before makeEnvironment. */
export function referencedObjects(c: Container): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps, secrets };
}

function secretData(s: Secret): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(s.data ?? {})) out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  for (const [k, v] of Object.entries(s.stringData ?? {})) out.set(k, v);
  return out;
}

export function makeEnvironment(input: EnvInput): { env: KeyValue[]; warnings: EnvWarning[] } {
  const { container } = input;
  const ns = input.pod.metadata?.namespace ?? '';
  const env = new Map<string, string>();
  const warnings: EnvWarning[] = [];

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Map<string, string>;
    let what: string;
    if (from.configMapRef) {
      const cm = input.configMap(from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      data = new Map(Object.entries(cm.data ?? {}));
      what = `configMap ${ns}/${from.configMapRef.name}`;
    } else if (from.secretRef) {
      const s = input.secret(from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      data = secretData(s);
      what = `secret ${ns}/${from.secretRef.name}`;
    } else continue;
    const invalid: string[] = [];
    for (const [k, v] of data) {
      const name = prefix + k;
      if (!isEnvVarName(name)) invalid.push(name);
      else env.set(name, v);
    }
    if (invalid.length) {
      warnings.push({
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }

  const serviceEnv = input.serviceEnv ?? new Map<string, string>();
  const mapping = mappingFor(env, serviceEnv);
  for (const e of container.env ?? []) {
    let value = e.value ?? '';
    if (value !== '') value = expand(value, mapping);
    else if (e.valueFrom?.fieldRef) value = asConfigError(() => fieldRefValue(e.valueFrom!.fieldRef!, input));
    else if (e.valueFrom?.resourceFieldRef) {
      const ref = e.valueFrom.resourceFieldRef;
      value = asConfigError(() => resourceFieldRefValue(ref, container, input));
    } else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const cm = input.configMap(ref.name ?? '');
      if (!cm) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`configmap "${ref.name}" not found`);
      }
      const v = cm.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
      }
      value = v;
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const s = input.secret(ref.name ?? '');
      if (!s) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`secret "${ref.name}" not found`);
      }
      const v = secretData(s).get(ref.key);
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
      }
      value = v;
    }
    env.delete(e.name);
    env.set(e.name, value);
  }
  for (const [k, v] of serviceEnv) if (!env.has(k)) env.set(k, v);
  return { env: [...env].map(([key, value]) => ({ key, value })), warnings };
}

function asConfigError(f: () => string): string {
  try {
    return f();
  } catch (err) {
    throw new ContainerConfigError(err instanceof Error ? err.message : String(err));
  }
}

/** Command and args with `$(VAR)` expanded against the container's final environment. */
export function expandCommand(container: Container, env: KeyValue[]): { command: string[]; args: string[] } {
  const mapping = mappingFor(new Map(env.map((e) => [e.key, e.value])));
  return {
    command: (container.command ?? []).map((s) => expand(s, mapping)),
    args: (container.args ?? []).map((s) => expand(s, mapping)),
  };
}
