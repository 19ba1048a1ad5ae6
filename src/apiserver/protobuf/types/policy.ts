/** policy/v1. */
import { declare } from '../schema.js';

declare('policy', {
  PodDisruptionBudget: {
    metadata: '1 meta.ObjectMeta',
    spec: '2 PodDisruptionBudgetSpec',
    status: '3 PodDisruptionBudgetStatus',
  },
  PodDisruptionBudgetSpec: {
    minAvailable: '1 *meta.IntOrString',
    selector: '2 *meta.LabelSelector',
    maxUnavailable: '3 *meta.IntOrString',
    unhealthyPodEvictionPolicy: '4 *string',
  },
  PodDisruptionBudgetStatus: {
    observedGeneration: '1 int64',
    disruptedPods: '2 {}meta.Time',
    disruptionsAllowed: '3 !int32',
    currentHealthy: '4 !int32',
    desiredHealthy: '5 !int32',
    expectedPods: '6 !int32',
    conditions: '7 []meta.Condition',
  },
  Eviction: { metadata: '1 meta.ObjectMeta', deleteOptions: '2 *meta.DeleteOptions' },
});
