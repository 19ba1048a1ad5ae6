import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { compareQuantities, parseQuantity } from '../../api/quantity.js';
import type { Registry } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';

const PODS = { group: '', resource: 'pods' };
const OVERHEAD_MISMATCH = "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead";

/**
 * Upstream's RuntimeClass admission plugin for pods being created: the pod's RuntimeClass must exist; its fixed
 * overhead becomes the pod's `spec.overhead` and its scheduling constraints join the pod's node selector (a
 * conflicting value is refused) and tolerations. The class is read from the store, so one created a moment ago
 * is found.
 */
export class RuntimeClassAdmission {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly registry: Registry,
  ) {}

  /** The mutating half: overhead and scheduling from the class. */
  async admit(obj: KubeObject): Promise<void> {
    const pod = obj as Pod;
    const rc = await this.classOf(pod);
    if (!rc) return;
    const name = pod.metadata?.name || pod.metadata?.generateName || '';
    const podFixed = rc.overhead?.podFixed;
    if (podFixed) {
      if (Object.keys(pod.spec?.overhead ?? {}).length > 0 && !sameResources(podFixed, pod.spec?.overhead)) {
        throw forbidden(PODS, name, OVERHEAD_MISMATCH);
      }
      pod.spec!.overhead = { ...podFixed };
    }
    const scheduling = rc.scheduling;
    if (!scheduling) return;
    const selector = { ...pod.spec!.nodeSelector };
    for (const [key, value] of Object.entries(scheduling.nodeSelector ?? {})) {
      const own = selector[key];
      if (own !== undefined && own !== value) {
        throw forbidden(
          PODS,
          name,
          `conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${value}; pod.spec.nodeSelector[${key}] = ${own}`,
        );
      }
      selector[key] = value;
    }
    if (Object.keys(selector).length > 0) pod.spec!.nodeSelector = selector;
    const tolerations = mergeTolerations(pod.spec!.tolerations ?? [], scheduling.tolerations ?? []);
    if (tolerations.length > 0) pod.spec!.tolerations = tolerations;
  }

  /** The validating half: the pod's overhead is its class's, and there is none without one. */
  async validate(obj: KubeObject): Promise<void> {
    const pod = obj as Pod;
    const rc = await this.classOf(pod);
    const name = pod.metadata?.name || pod.metadata?.generateName || '';
    if (rc?.overhead) {
      if (!sameResources(rc.overhead.podFixed, pod.spec?.overhead))
        throw forbidden(PODS, name, OVERHEAD_MISMATCH);
    } else if (pod.spec?.overhead) {
      throw forbidden(
        PODS,
        name,
        'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead',
      );
    }
  }

  private async classOf(pod: Pod): Promise<RuntimeClass | undefined> {
    const className = pod.spec?.runtimeClassName;
    if (!className) return undefined;
    const def = this.registry.mustGet('node.k8s.io', 'runtimeclasses');
    const rc = (await this.storage.get(def, undefined, className)) as RuntimeClass | undefined;
    if (!rc) {
      const name = pod.metadata?.name || pod.metadata?.generateName || '';
      throw forbidden(PODS, name, `pod rejected: RuntimeClass "${className}" not found`);
    }
    return rc;
  }
}

/** Two resource lists with the same names and equal quantities (Go's semantic equality; absent is empty). */
function sameResources(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  const ka = Object.keys(a ?? {});
  const kb = Object.keys(b ?? {});
  if ((a === undefined) !== (b === undefined) || ka.length !== kb.length) return false;
  return ka.every(
    (k) => b?.[k] !== undefined && compareQuantities(parseQuantity(a![k]!), parseQuantity(b[k])) === 0,
  );
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? '') === (b.key ?? '') &&
    (a.operator ?? '') === (b.operator ?? '') &&
    (a.value ?? '') === (b.value ?? '') &&
    (a.effect ?? '') === (b.effect ?? '') &&
    a.tolerationSeconds === b.tolerationSeconds
  );
}

/** Whether `ss` tolerates everything `t` does (upstream's isSuperset). */
function isSuperset(ss: Toleration, t: Toleration): boolean {
  if (sameToleration(ss, t)) return true;
  if ((t.key ?? '') !== (ss.key ?? '') && ((ss.key ?? '') !== '' || ss.operator !== 'Exists')) return false;
  if ((t.effect ?? '') !== (ss.effect ?? '') && (ss.effect ?? '') !== '') return false;
  if (ss.effect === 'NoExecute' && ss.tolerationSeconds != null) {
    if (t.tolerationSeconds == null || t.tolerationSeconds > ss.tolerationSeconds) return false;
  }
  switch (ss.operator ?? '') {
    case '':
    case 'Equal':
      return t.operator === 'Equal' && (t.value ?? '') === (ss.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/**
 * Upstream's MergeTolerations: both lists, in order, without any toleration another one already covers (of two
 * equal ones the first stays).
 */
export function mergeTolerations(first: Toleration[], second: Toleration[]): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => isSuperset(m, t))) return;
    if (all.slice(i + 1).some((later) => !sameToleration(t, later) && isSuperset(later, t))) return;
    merged.push(t);
  });
  return merged;
}
