import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Informer } from '../../client/index.js';

/** Index of pods by spec.nodeName on the shared pod informer. */
export const POD_NODE_INDEX = 'spec.nodeName';

export function indexPodsByNode(pods: Informer<Pod>): void {
  pods.addIndexer(POD_NODE_INDEX, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
}

export function podsOnNode(pods: Informer<Pod>, nodeName: string): Pod[] {
  return pods.byIndex(POD_NODE_INDEX, nodeName).filter((p) => p.spec?.nodeName === nodeName);
}
