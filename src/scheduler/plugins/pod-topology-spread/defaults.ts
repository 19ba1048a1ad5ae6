import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { labelSelectorFromObject, type LabelSelector } from '../../../api/labels.js';
import { controllerOf } from '../../../api/owners.js';
import type { ClusterView } from '../../framework/cluster-view.js';

export const HOSTNAME_KEY = 'kubernetes.io/hostname';
const ZONE_KEY = 'topology.kubernetes.io/zone';

/**
 * What a pod without constraints of its own is spread by when the profile's defaultingType is System
 * (upstream's systemDefaultConstraints): softly across nodes and zones.
 */
const SYSTEM_DEFAULT_CONSTRAINTS: TopologySpreadConstraint[] = [
  { topologyKey: HOSTNAME_KEY, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: ZONE_KEY, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

/** PodTopologySpreadArgs (kubescheduler.config.k8s.io/v1). */
interface SpreadArgsDoc {
  defaultingType?: string;
  defaultConstraints?: TopologySpreadConstraint[];
}

export interface SpreadDefaults {
  constraints: TopologySpreadConstraint[];
  /** System defaulting: nodes missing a topology key still count and score for the keys they have. */
  system: boolean;
}

/** The plugin's args, checked as upstream's ValidatePodTopologySpreadArgs. */
export function spreadDefaults(args: unknown): SpreadDefaults {
  const doc = (args ?? {}) as SpreadArgsDoc;
  const type = doc.defaultingType ?? 'System';
  const fail = (msg: string): never => {
    throw new Error(`scheduler config: PodTopologySpread args: ${msg}`);
  };
  if (type !== 'System' && type !== 'List') fail(`defaultingType: Unsupported value: "${type}"`);
  const listed = doc.defaultConstraints ?? [];
  if (!Array.isArray(listed)) return fail('defaultConstraints must be a list');
  if (type === 'System') {
    if (listed.length > 0) fail('defaultConstraints: must be empty when defaultingType is "System"');
    return { constraints: SYSTEM_DEFAULT_CONSTRAINTS, system: true };
  }
  const seen = new Set<string>();
  listed.forEach((c, i) => {
    const at = `defaultConstraints[${i}]`;
    if (!(Number.isInteger(c.maxSkew) && c.maxSkew > 0)) fail(`${at}.maxSkew: must be greater than zero`);
    if (!c.topologyKey) fail(`${at}.topologyKey: Required value`);
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      fail(`${at}.whenUnsatisfiable: Unsupported value: "${String(c.whenUnsatisfiable)}"`);
    }
    if (c.labelSelector) fail(`${at}.labelSelector: Forbidden: constraint must not define a selector`);
    const key = `${c.topologyKey}\0${c.whenUnsatisfiable}`;
    if (seen.has(key)) fail(`${at}: Duplicate value: topologyKey and whenUnsatisfiable`);
    seen.add(key);
  });
  return { constraints: listed, system: false };
}

/**
 * The pods a defaulted constraint counts (upstream helper.DefaultSelector): those selected by every Service
 * that selects the pod and by its controller when that is a ReplicationController, ReplicaSet or StatefulSet.
 * Empty when nothing selects the pod: then it gets no default constraints.
 */
export function defaultSpreadSelector(pod: Pod, cluster: ClusterView): LabelSelector {
  const ns = pod.metadata?.namespace ?? '';
  const labels = pod.metadata?.labels ?? {};
  const matchLabels: Record<string, string> = {};
  for (const svc of cluster.services(ns)) {
    const selector = svc.spec?.selector;
    if (!selector) continue;
    if (Object.entries(selector).every(([k, v]) => labels[k] === v)) Object.assign(matchLabels, selector);
  }
  const matchExpressions: { key: string; operator: string; values?: string[] }[] = [];
  const owner = controllerOf(pod);
  if (owner?.apiVersion === 'v1' && owner.kind === 'ReplicationController') {
    Object.assign(matchLabels, cluster.replicationController(ns, owner.name)?.spec?.selector ?? {});
  } else if (
    owner?.apiVersion === 'apps/v1' &&
    (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')
  ) {
    const set =
      owner.kind === 'ReplicaSet'
        ? cluster.replicaSet(ns, owner.name)?.spec?.selector
        : cluster.statefulSet(ns, owner.name)?.spec?.selector;
    Object.assign(matchLabels, set?.matchLabels ?? {});
    matchExpressions.push(...(set?.matchExpressions ?? []));
  }
  return labelSelectorFromObject({ matchLabels, matchExpressions });
}
