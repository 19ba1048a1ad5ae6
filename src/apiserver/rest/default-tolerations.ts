import type { KubeObject } from '../../api/meta.js';

/** Defaults of the DefaultTolerationSeconds plugin here: faster failover than upstream's 300 s. */
export const DEFAULT_TOLERATION_SECONDS = 60;

export interface DefaultTolerationOptions {
  /** Upstream --default-not-ready-toleration-seconds. */
  notReadySeconds?: number;
  /** Upstream --default-unreachable-toleration-seconds. */
  unreachableSeconds?: number;
}

interface TolerationLike {
  key?: string;
  effect?: string;
}

/**
 * The DefaultTolerationSeconds admission plugin: a pod that does not already tolerate the not-ready or
 * unreachable NoExecute taints gets a toleration for each, bounded by tolerationSeconds, so the taint eviction
 * controller moves it off a failed node after that long.
 */
export function addDefaultTolerations(pod: KubeObject, opts: DefaultTolerationOptions = {}): void {
  const spec = (pod.spec ??= {}) as { tolerations?: TolerationLike[] };
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const covers = (key: string): boolean =>
    tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
  const wanted: [string, number][] = [
    ['node.kubernetes.io/not-ready', opts.notReadySeconds ?? DEFAULT_TOLERATION_SECONDS],
    ['node.kubernetes.io/unreachable', opts.unreachableSeconds ?? DEFAULT_TOLERATION_SECONDS],
  ];
  const added = wanted
    .filter(([key]) => !covers(key))
    .map(([key, seconds]) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds }));
  if (added.length > 0) spec.tolerations = [...tolerations, ...added];
}
