import type { CrossVersionObjectReference } from 'kubernetes-types/autoscaling/v2.js';
import { R, type ResourceType } from '../../client/index.js';

/** The resource a scaleTargetRef names, by group and kind (upstream resolves it with a RESTMapper). */
export function scaleTargetResource(ref: CrossVersionObjectReference): ResourceType | undefined {
  const group = (ref.apiVersion ?? '').includes('/') ? (ref.apiVersion ?? '').split('/')[0] : '';
  for (const r of Object.values<ResourceType>(R)) {
    if (r.kind === ref.kind && r.group === group) return r;
  }
  return undefined;
}
