import { forbidden } from '../../api/errors.js';
import type { KubeObject, StoredObject } from '../../api/meta.js';
import { sleep } from '../../util/wait.js';

/** Where every container finds its service account credentials (upstream DefaultAPITokenMountPath). */
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Prefix of the injected projected volume's name. */
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
/** Lifetime the injected token source asks for (upstream WarnOnlyBoundTokenExpirationSeconds). */
export const INJECTED_TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** The `default` account is made by a controller right after its namespace: look a few times (upstream: 10). */
const DEFAULT_ACCOUNT_ATTEMPTS = 10;

export interface ServiceAccountAdmissionDeps {
  getServiceAccount(namespace: string, name: string): Promise<StoredObject | undefined>;
  /** Five random name characters. */
  randomSuffix(): string;
  /** Wait between lookups of a missing `default` account; default 100–200 ms as upstream. */
  retryDelay?: () => Promise<void>;
}

interface VolumeMount {
  name?: string;
  mountPath?: string;
  readOnly?: boolean;
}
interface Container {
  volumeMounts?: VolumeMount[];
}
interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: { name?: string }[];
  volumes?: { name?: string }[];
  containers?: Container[];
  initContainers?: Container[];
}

/**
 * The ServiceAccount admission plugin on pod create (plugin/pkg/admission/serviceaccount): the pod's account
 * must exist (mirror pods are left alone), its imagePullSecrets are copied to a pod that has none, and unless
 * the pod or the account opts out, a `kube-api-access-xxxxx` projected volume (token, CA bundle, namespace) is
 * mounted read-only in every init and app container that does not already mount something at the path.
 */
export async function admitServiceAccount(pod: KubeObject, deps: ServiceAccountAdmissionDeps): Promise<void> {
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
  const spec = (pod.spec ??= {}) as PodSpec;
  if (!spec.serviceAccountName) spec.serviceAccountName = 'default';
  spec.serviceAccount = spec.serviceAccountName;
  const namespace = pod.metadata?.namespace ?? '';
  const name = spec.serviceAccountName;
  const sa = await lookUp(namespace, name, deps);
  if (!sa) {
    throw forbidden(
      { group: '', resource: 'pods' },
      pod.metadata?.name ?? '',
      `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`,
    );
  }
  if (shouldAutomount(sa, spec)) mountToken(spec, () => deps.randomSuffix());
  const pullSecrets = (sa as { imagePullSecrets?: { name?: string }[] }).imagePullSecrets;
  if (!spec.imagePullSecrets?.length && pullSecrets?.length) {
    spec.imagePullSecrets = pullSecrets.map((s) => ({ name: s.name ?? '' }));
  }
}

async function lookUp(
  namespace: string,
  name: string,
  deps: ServiceAccountAdmissionDeps,
): Promise<StoredObject | undefined> {
  const attempts = name === 'default' ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
  const delay = deps.retryDelay ?? (() => sleep(100 + Math.floor(Math.random() * 100)));
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await delay();
    const sa = await deps.getServiceAccount(namespace, name);
    if (sa) return sa;
  }
  return undefined;
}

function shouldAutomount(sa: KubeObject, spec: PodSpec): boolean {
  if (typeof spec.automountServiceAccountToken === 'boolean') return spec.automountServiceAccountToken;
  const fromSa = (sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken;
  return typeof fromSa === 'boolean' ? fromSa : true;
}

function mountToken(spec: PodSpec, randomSuffix: () => string): void {
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  const existing = volumes.find((v) => v.name?.startsWith(TOKEN_VOLUME_PREFIX))?.name;
  const volumeName = existing ?? `${TOKEN_VOLUME_PREFIX}${randomSuffix()}`;
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
    if (mounts.some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    c.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
    needed = true;
  }
  if (needed && !existing) spec.volumes = [...volumes, tokenVolume(volumeName)];
}

/** The projected volume upstream injects (defaultMode 0644). */
export function tokenVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: INJECTED_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
      defaultMode: 0o644,
    },
  };
}
