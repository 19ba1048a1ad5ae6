/** PodSpec defaulting as pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, _Container, _Probe, …). */
import { tryParseQuantity, formatQuantity } from '../../../api/quantity.js';
import { arr, child, obj, setDefault, type Obj } from './util.js';

export const DEFAULT_TERMINATION_GRACE_PERIOD = 30;
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
const DEFAULT_FILE_MODE = 0o644;

/** The tag `docker pull` would use: '' with a digest only, 'latest' when no tag is given. */
export function imageTag(image: string): string {
  if (image.trim() === '') return '';
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  if (colon >= 0) return withoutDigest.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Quantities are stored rounded up to milli precision, in canonical form (`0.5` → `500m`, `1024Mi` → `1Gi`). */
export function defaultResourceList(list: unknown): void {
  const l = obj(list);
  if (!l) return;
  for (const [k, v] of Object.entries(l)) {
    const parsed = tryParseQuantity(v);
    if (!('quantity' in parsed)) continue;
    const q = parsed.quantity;
    const milli = 1_000_000n;
    const rem = ((q.nanos % milli) + milli) % milli;
    const nanos = rem === 0n ? q.nanos : q.nanos + (milli - rem);
    l[k] = formatQuantity({ nanos, format: q.format });
  }
}

function defaultHandler(h: Obj | undefined): void {
  const http = obj(h?.httpGet);
  if (http) {
    setDefault(http, 'path', '/');
    setDefault(http, 'scheme', 'HTTP');
  }
}

export function defaultProbe(p: unknown): void {
  const probe = obj(p);
  if (!probe) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  for (const k of ['timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    if (probe[k] === 0)
      probe[k] = k === 'timeoutSeconds' || k === 'successThreshold' ? 1 : k === 'periodSeconds' ? 10 : 3;
  }
  defaultHandler(probe);
}

export function defaultContainer(c: Obj, hostNetwork: boolean): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(typeof c.image === 'string' ? c.image : ''));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const p of arr(c.ports)) {
    const port = obj(p);
    if (!port) continue;
    setDefault(port, 'protocol', 'TCP');
    if (hostNetwork && !port.hostPort && typeof port.containerPort === 'number')
      port.hostPort = port.containerPort;
  }
  for (const e of arr(c.env)) {
    const fieldRef = obj(obj(obj(e)?.valueFrom)?.fieldRef);
    if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  const lifecycle = obj(c.lifecycle);
  if (lifecycle) {
    defaultHandler(obj(lifecycle.postStart));
    defaultHandler(obj(lifecycle.preStop));
  }
  const resources = obj(c.resources);
  if (resources) {
    defaultResourceList(resources.limits);
    defaultResourceList(resources.requests);
  }
}

const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

export function volumeSources(v: Obj): string[] {
  return VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
}

export function defaultVolume(v: Obj): void {
  if (volumeSources(v).length === 0) v.emptyDir = {};
  for (const src of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = obj(v[src]);
    if (s) setDefault(s, 'defaultMode', DEFAULT_FILE_MODE);
  }
  const hostPath = obj(v.hostPath);
  if (hostPath && hostPath.type === undefined) hostPath.type = '';
  const claimSpec = obj(obj(obj(v.ephemeral)?.volumeClaimTemplate)?.spec);
  if (claimSpec) setDefault(claimSpec, 'volumeMode', 'Filesystem');
}

/** SetDefaults_PodSpec plus the per-container/volume defaults SetObjectDefaults applies (templates and pods). */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  if (!obj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = DEFAULT_TERMINATION_GRACE_PERIOD;
  }
  setDefault(spec, 'schedulerName', DEFAULT_SCHEDULER_NAME);
  const hostNetwork = spec.hostNetwork === true;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of arr(spec[key])) {
      const container = obj(c);
      if (container) defaultContainer(container, hostNetwork && key !== 'ephemeralContainers');
    }
  }
  for (const v of arr(spec.volumes)) {
    const vol = obj(v);
    if (vol) defaultVolume(vol);
  }
  // The deprecated alias is kept in step with serviceAccountName, as the v1 conversion does.
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string' && spec.serviceAccount) {
    spec.serviceAccountName = spec.serviceAccount;
  }
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
}

/** SetDefaults_Pod: only for Pods, not templates: requests default to limits, service links on. */
export function defaultPodOnly(spec: Obj): void {
  for (const key of ['initContainers', 'containers']) {
    for (const c of arr(spec[key])) {
      const limits = obj(obj(obj(c)?.resources)?.limits);
      if (!limits) continue;
      const requests = child(child(c, 'resources'), 'requests');
      for (const [k, v] of Object.entries(limits)) {
        if (requests[k] === undefined) requests[k] = v;
      }
    }
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null)
    spec.enableServiceLinks = true;
}

/** PodTemplateSpec defaults (metadata untouched). */
export function defaultPodTemplateSpec(template: unknown): void {
  const t = obj(template);
  if (!t) return;
  defaultPodSpec(child(t, 'spec'));
}
