import type { KubeObject } from '../../../api/meta.js';
import type { VersionAlias } from '../types.js';
import { clone, deprecation, rec, setAnnotation, takeAnnotation, withApiVersion, type Obj } from './util.js';

const MAX_INT32 = 2147483647;
const ROLLBACK_ANNOTATION = 'deprecated.deployment.rollback.to';
const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

type Defaulter = (spec: Obj, obj: KubeObject) => void;

/** Old API versions defaulted a missing selector (and empty object labels) from the pod template's labels. */
function selectorFromTemplate(spec: Obj, obj: KubeObject): void {
  const templateLabels = rec(rec(rec(spec.template)?.metadata)?.labels);
  if (!templateLabels || Object.keys(templateLabels).length === 0) return;
  if (spec.selector === undefined || spec.selector === null)
    spec.selector = { matchLabels: { ...templateLabels } };
  obj.metadata ??= {};
  if (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0)
    obj.metadata.labels = { ...templateLabels };
}

function defaultStrategy(spec: Obj, maxUnavailable: number | string, maxSurge: number | string): void {
  spec.strategy ??= {};
  const strategy = spec.strategy as Obj;
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    const ru = strategy.rollingUpdate as Obj;
    ru.maxUnavailable ??= maxUnavailable;
    ru.maxSurge ??= maxSurge;
  }
}

/** extensions/v1beta1 Deployment: 1/1 rolling update, unlimited history and no progress deadline. */
const extensionsDeploymentDefaults: Defaulter = (spec, obj) => {
  selectorFromTemplate(spec, obj);
  spec.replicas ??= 1;
  defaultStrategy(spec, 1, 1);
  spec.revisionHistoryLimit ??= MAX_INT32;
  spec.progressDeadlineSeconds ??= MAX_INT32;
};

const appsV1beta1DeploymentDefaults: Defaulter = (spec, obj) => {
  selectorFromTemplate(spec, obj);
  spec.replicas ??= 1;
  defaultStrategy(spec, '25%', '25%');
  spec.revisionHistoryLimit ??= 2;
  spec.progressDeadlineSeconds ??= 600;
};

const extensionsDaemonSetDefaults: Defaulter = (spec, obj) => {
  selectorFromTemplate(spec, obj);
  spec.updateStrategy ??= { type: 'OnDelete' };
  const strategy = spec.updateStrategy as Obj;
  if (strategy.type === 'RollingUpdate') {
    strategy.rollingUpdate ??= {};
    (strategy.rollingUpdate as Obj).maxUnavailable ??= 1;
  }
  spec.revisionHistoryLimit ??= 10;
};

const appsV1beta1StatefulSetDefaults: Defaulter = (spec, obj) => {
  selectorFromTemplate(spec, obj);
  spec.replicas ??= 1;
  spec.podManagementPolicy ??= 'OrderedReady';
  spec.updateStrategy ??= { type: 'OnDelete' };
  spec.revisionHistoryLimit ??= 10;
};

const replicasOnly: Defaulter = (spec) => {
  spec.replicas ??= 1;
};

interface WorkloadAlias {
  group: string;
  version: string;
  kind: string;
  defaults?: Defaulter;
  warning: string;
  removedRelease: string;
}

function toApps(obj: KubeObject, kind: string, defaults: Defaulter | undefined): KubeObject {
  const out = withApiVersion(obj, 'apps/v1');
  out.kind = kind;
  const spec = rec(out.spec);
  if (spec) {
    defaults?.(spec, out);
    if (spec.rollbackTo !== undefined) {
      const revision = rec(spec.rollbackTo)?.revision;
      if (revision !== undefined) setAnnotation(out, ROLLBACK_ANNOTATION, String(revision));
      delete spec.rollbackTo;
    }
    if (spec.templateGeneration !== undefined) {
      setAnnotation(out, TEMPLATE_GENERATION_ANNOTATION, String(spec.templateGeneration));
      delete spec.templateGeneration;
    }
  }
  return out;
}

function fromApps(obj: KubeObject, apiVersion: string, kind: string): KubeObject {
  const out = clone(obj);
  out.apiVersion = apiVersion;
  out.kind = kind;
  const spec = rec(out.spec);
  if (kind === 'DaemonSet' && apiVersion === 'extensions/v1beta1') {
    const generation = takeAnnotation(out, TEMPLATE_GENERATION_ANNOTATION);
    if (generation !== undefined && spec) spec.templateGeneration = Number(generation);
  }
  if (kind === 'Deployment' && apiVersion !== 'apps/v1beta2') {
    const rollback = takeAnnotation(out, ROLLBACK_ANNOTATION);
    if (rollback !== undefined && spec) spec.rollbackTo = { revision: Number(rollback) };
  }
  return out;
}

function workloadAlias(a: WorkloadAlias): VersionAlias {
  const apiVersion = `${a.group}/${a.version}`;
  return {
    group: a.group,
    version: a.version,
    toCanonical: (obj) => toApps(obj, a.kind, a.defaults),
    fromCanonical: (obj) => fromApps(obj, apiVersion, a.kind),
    warning: a.warning,
    removedRelease: a.removedRelease,
  };
}

function apps(group: string, version: string, kind: string, defaults?: Defaulter): VersionAlias {
  return workloadAlias({
    group,
    version,
    kind,
    defaults,
    ...deprecation(`${group}/${version}`, kind, '1.9', '1.16', `apps/v1 ${kind}`),
  });
}

export const deploymentAliases: VersionAlias[] = [
  apps('extensions', 'v1beta1', 'Deployment', extensionsDeploymentDefaults),
  apps('apps', 'v1beta1', 'Deployment', appsV1beta1DeploymentDefaults),
  apps('apps', 'v1beta2', 'Deployment'),
];

export const replicaSetAliases: VersionAlias[] = [
  apps('extensions', 'v1beta1', 'ReplicaSet', (spec, obj) => {
    selectorFromTemplate(spec, obj);
    replicasOnly(spec, obj);
  }),
  apps('apps', 'v1beta2', 'ReplicaSet'),
];

export const daemonSetAliases: VersionAlias[] = [
  apps('extensions', 'v1beta1', 'DaemonSet', extensionsDaemonSetDefaults),
  apps('apps', 'v1beta2', 'DaemonSet'),
];

export const statefulSetAliases: VersionAlias[] = [
  apps('apps', 'v1beta1', 'StatefulSet', appsV1beta1StatefulSetDefaults),
  apps('apps', 'v1beta2', 'StatefulSet'),
];

export const controllerRevisionAliases: VersionAlias[] = [
  apps('apps', 'v1beta1', 'ControllerRevision'),
  apps('apps', 'v1beta2', 'ControllerRevision'),
];
