import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { PodSpec } from 'kubernetes-types/core/v1.js';

export type WorkloadKind = 'plain' | 'anti-affinity' | 'spread';

export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  pods: number;
  deployments: Deployment[];
}

/** `pods` replicas split over Deployments of at most `perDeployment`, with the placement rules of `kind`. */
export function workload(
  kind: WorkloadKind,
  namespace: string,
  pods: number,
  perDeployment = 1000,
): Workload {
  const deployments: Deployment[] = [];
  for (let i = 0, left = pods; left > 0; i++) {
    const replicas = Math.min(perDeployment, left);
    left -= replicas;
    const app = `${kind}-${i}`;
    deployments.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace },
      spec: {
        replicas,
        selector: { matchLabels: { app } },
        template: { metadata: { labels: { app, workload: kind } }, spec: podSpec(kind) },
      },
    });
  }
  return { kind, namespace, pods, deployments };
}

function podSpec(kind: WorkloadKind): PodSpec {
  const spec: PodSpec = {
    containers: [
      {
        name: 'pause',
        image: 'registry.k8s.io/pause:3.9',
        resources: { requests: { cpu: '10m', memory: '16Mi' } },
      },
    ],
  };
  const selector = { matchLabels: { workload: kind } };
  if (kind === 'anti-affinity') {
    spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: selector, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    };
  } else if (kind === 'spread') {
    spec.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: selector,
      },
    ];
  }
  return spec;
}
