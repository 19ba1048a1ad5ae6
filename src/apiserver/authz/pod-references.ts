/**
 * The API objects a pod names (upstream's podutil.VisitPodSecretNames and VisitPodConfigmapNames over all
 * containers, its claim volumes and its service account): what the Node authorizer lets the pod's node read,
 * and what NodeRestriction keeps out of the mirror pods a node creates. Read without trusting the shape.
 */
import type { KubeObject } from '../../api/meta.js';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj).filter((o) => o !== undefined) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface PodReferences {
  secrets: string[];
  configMaps: string[];
  /** PersistentVolumeClaims: `persistentVolumeClaim` volumes and the claims of ephemeral volumes. */
  claims: string[];
}

export const isMirrorPod = (pod: KubeObject): boolean =>
  pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;

/** The service account a pod runs as, as written (the deprecated field when the current one is empty). */
export function podServiceAccount(pod: KubeObject): string {
  const spec = obj(pod.spec);
  return str(spec?.serviceAccountName) || str(spec?.serviceAccount);
}

/** Secret names a volume source refers to by `secretRef` (the plugins that take credentials that way). */
const SECRET_REF_VOLUMES = ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos'];

function add(into: string[], name: string): void {
  if (name && !into.includes(name)) into.push(name);
}

/** Names referred to by the pod, each once, in spec order (empty names skipped). */
export function podReferences(pod: KubeObject): PodReferences {
  const refs: PodReferences = { secrets: [], configMaps: [], claims: [] };
  const spec = obj(pod.spec);
  if (!spec) return refs;
  for (const s of list(spec.imagePullSecrets)) add(refs.secrets, str(s.name));
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of list(spec[field])) {
      for (const from of list(c.envFrom)) {
        add(refs.secrets, str(obj(from.secretRef)?.name));
        add(refs.configMaps, str(obj(from.configMapRef)?.name));
      }
      for (const e of list(c.env)) {
        const valueFrom = obj(e.valueFrom);
        add(refs.secrets, str(obj(valueFrom?.secretKeyRef)?.name));
        add(refs.configMaps, str(obj(valueFrom?.configMapKeyRef)?.name));
      }
    }
  }
  const podName = str(pod.metadata?.name);
  for (const v of list(spec.volumes)) {
    add(refs.secrets, str(obj(v.secret)?.secretName));
    add(refs.secrets, str(obj(v.azureFile)?.secretName));
    for (const plugin of SECRET_REF_VOLUMES) add(refs.secrets, str(obj(obj(v[plugin])?.secretRef)?.name));
    add(refs.secrets, str(obj(obj(v.csi)?.nodePublishSecretRef)?.name));
    add(refs.configMaps, str(obj(v.configMap)?.name));
    for (const source of list(obj(v.projected)?.sources)) {
      add(refs.secrets, str(obj(source.secret)?.name));
      add(refs.configMaps, str(obj(source.configMap)?.name));
    }
    add(refs.claims, str(obj(v.persistentVolumeClaim)?.claimName));
    // An ephemeral volume's claim is named after the pod and the volume (upstream's ephemeral.VolumeClaimName).
    if (obj(v.ephemeral) && podName && str(v.name)) add(refs.claims, `${podName}-${str(v.name)}`);
  }
  return refs;
}

/** Whether a projected volume of the pod takes a ClusterTrustBundle. */
export function referencesClusterTrustBundles(pod: KubeObject): boolean {
  return list(obj(pod.spec)?.volumes).some((v) =>
    list(obj(v.projected)?.sources).some((s) => obj(s.clusterTrustBundle) !== undefined),
  );
}

/** Whether any volume of the pod is a `persistentVolumeClaim` volume. */
export function hasClaimVolumes(pod: KubeObject): boolean {
  return list(obj(pod.spec)?.volumes).some((v) => obj(v.persistentVolumeClaim) !== undefined);
}
