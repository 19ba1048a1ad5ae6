import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerBehavior,
  MetricSpec,
} from 'kubernetes-types/autoscaling/v2.js';
import type { Container, Event, Pod } from 'kubernetes-types/core/v1.js';
import type { MetricsProvider } from '../../src/apiserver/metrics/index.js';
import { R, type ResourceType } from '../../src/client/index.js';
import { horizontalPodAutoscalerController } from '../../src/controllers/hpa/index.js';
import { FakeClock, rfc3339 } from '../../src/util/clock.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const clock = new FakeClock();
let cluster: TestCluster;
/** Total CPU of an app in millicores, spread evenly over its pods (as the hollow-load ConfigMap does). */
const load = new Map<string, number>();
let podTimer: NodeJS.Timeout | undefined;

const provider: MetricsProvider = {
  getNodeMetrics: (names) => names.map(() => undefined),
  getPodMetrics: (pods) =>
    pods.map((p) => {
      const app = p.name.split('-')[0] ?? '';
      const total = load.get(app);
      if (total === undefined) return undefined;
      const peers = pods.filter((q) => q.name.startsWith(`${app}-`)).length;
      const milli = Math.round(total / peers);
      const containers = [{ name: 'main', usage: { cpu: `${milli}m`, memory: '32Mi' } }];
      // The `side` app's pods also run an idle log shipper.
      if (app === 'side') containers.push({ name: 'shipper', usage: { cpu: '1m', memory: '8Mi' } });
      return { timestampMs: clock.now(), windowMs: 15_000, containers };
    }),
};

/** `side` pods have a second container with a large request: utilization differs per container. */
function containersOf(name: string): Container[] {
  const main: Container = { name: 'main', image: 'nginx', resources: { requests: { cpu: '100m' } } };
  if (name !== 'side') return [main];
  return [main, { name: 'shipper', image: 'fluent-bit', resources: { requests: { cpu: '900m' } } }];
}

function deployment(name: string, replicas: number): Deployment {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: containersOf(name) },
      },
    },
  };
}

/** A custom resource with a scale subresource, for an HPA whose target is not a built-in kind. */
const WORKERS: ResourceType = {
  group: 'example.com',
  version: 'v1',
  resource: 'workers',
  kind: 'Worker',
  namespaced: true,
};

const WORKERS_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'workers.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'workers', kind: 'Worker' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: {
          status: {},
          scale: {
            specReplicasPath: '.spec.replicas',
            statusReplicasPath: '.status.replicas',
            labelSelectorPath: '.status.selector',
          },
        },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { replicas: { type: 'integer' } } },
              status: {
                type: 'object',
                properties: { replicas: { type: 'integer' }, selector: { type: 'string' } },
              },
            },
          },
        },
      },
    ],
  },
};

/** Stands in for the deployment controller and the kubelet: keeps Ready pods matching spec.replicas. */
async function syncPods(name: string, type: ResourceType = R.deployments): Promise<void> {
  const owner = await cluster.client.resource(type).get('default', name);
  const pods = cluster.client.resource<Pod>(R.pods);
  const have = (await pods.list('default', { labelSelector: `app=${name}` })).items;
  const want = (owner.spec as { replicas?: number } | undefined)?.replicas ?? 0;
  const long = rfc3339(clock.now() - 10 * 60_000);
  for (let i = have.length; i < want; i++) {
    const pod = await pods.create({
      metadata: { generateName: `${name}-`, namespace: 'default', labels: { app: name } },
      spec: { nodeName: 'node-1', containers: containersOf(name) },
    });
    await pods.patch(
      'default',
      pod.metadata!.name!,
      'merge',
      {
        status: {
          phase: 'Running',
          startTime: long,
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: long }],
        },
      },
      { subresource: 'status' },
    );
  }
  for (const pod of have.slice(want))
    await pods.delete('default', pod.metadata!.name!, { gracePeriodSeconds: 0 });
}

let stopped = false;

before(async () => {
  cluster = await startTestCluster(
    { 'horizontal-pod-autoscaler': horizontalPodAutoscalerController },
    { clock, options: { hpaSyncPeriodMs: 50 } },
  );
  cluster.server.server.context.metrics = provider;
  const loop = (): void => {
    void Promise.all([syncPods('web'), syncPods('small'), syncPods('side')])
      .catch(() => {})
      .finally(() => {
        // A round still in flight when the tests end must not schedule another.
        if (!stopped) podTimer = setTimeout(loop, 30);
      });
  };
  await cluster.client.resource<Deployment>(R.deployments).create(deployment('web', 2));
  await cluster.client.resource<Deployment>(R.deployments).create(deployment('small', 1));
  await cluster.client.resource<Deployment>(R.deployments).create(deployment('side', 2));
  loop();
  await Promise.all([podsRunning('web', 2), podsRunning('small', 1), podsRunning('side', 2)]);
});

/** Waits for an app's pods to run before an HPA looks at them: a pod still Pending counts as 0% on a scale-up. */
const podsRunning = (app: string, count: number): Promise<unknown> =>
  waitFor(async () => {
    const pods = await cluster.client.resource<Pod>(R.pods).list('default', { labelSelector: `app=${app}` });
    return pods.items.filter((p) => p.status?.phase === 'Running').length === count;
  });

after(async () => {
  stopped = true;
  clearTimeout(podTimer);
  await cluster.close();
});

const replicas = async (name: string): Promise<number> =>
  (await cluster.client.resource<Deployment>(R.deployments).get('default', name)).spec?.replicas ?? -1;

const hpaOf = (name: string): Promise<HorizontalPodAutoscaler> =>
  cluster.client.resource<HorizontalPodAutoscaler>(R.horizontalPodAutoscalers).get('default', name);

/** The first event of `reason` about the HPA `object`, once there is one. */
const eventOf = (object: string, reason: string): Promise<Event> =>
  waitFor(async () =>
    (await cluster.client.resource<Event>(R.events).list('default')).items.find(
      (e) => e.reason === reason && e.involvedObject.name === object,
    ),
  );

/** An HPA scaling the Deployment of the same name. */
const createHpa = (
  name: string,
  minReplicas: number,
  maxReplicas: number,
  metrics: MetricSpec[],
  behavior?: HorizontalPodAutoscalerBehavior,
): Promise<HorizontalPodAutoscaler> =>
  cluster.client.resource<HorizontalPodAutoscaler>(R.horizontalPodAutoscalers).create({
    metadata: { name, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas,
      maxReplicas,
      metrics,
      ...(behavior ? { behavior } : {}),
    },
  });

const condition = (h: HorizontalPodAutoscaler, type: string) =>
  h.status?.conditions?.find((c) => c.type === type);

test('scales up on load, holds during the downscale window, scales down after it, respects max', async () => {
  load.set('web', 200);
  await createHpa(
    'web',
    1,
    5,
    [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
      },
    ],
    { scaleDown: { stabilizationWindowSeconds: 60 } },
  );
  // 2 pods at 100% of their request against a 50% target → 4 (then 4 pods at 50%: steady).
  await waitFor(async () => (await replicas('web')) === 4, { message: 'scaled to 4' });
  const rescale = await eventOf('web', 'SuccessfulRescale');
  assert.equal(
    rescale.message,
    'New size: 4; reason: cpu resource utilization (percentage of request) above target',
  );
  const scaled = await waitFor(async () => {
    const h = await hpaOf('web');
    const utilization = h.status?.currentMetrics?.[0]?.resource?.current.averageUtilization;
    return h.status?.desiredReplicas === 4 && h.status.currentReplicas === 4 && utilization === 50
      ? h
      : undefined;
  });
  assert.equal(scaled.status?.currentMetrics?.[0]?.resource?.current.averageValue, '50m');
  assert.equal(scaled.status?.lastScaleTime, rfc3339(clock.now()));
  assert.equal(condition(scaled, 'ScalingActive')?.reason, 'ValidMetricFound');

  // Load drops to 10%: the recommendation is 1, but the 60 s window still holds 4.
  load.set('web', 40);
  const held = await waitFor(async () => {
    const h = await hpaOf('web');
    return condition(h, 'AbleToScale')?.reason === 'ScaleDownStabilized' ? h : undefined;
  });
  assert.equal(held.status?.desiredReplicas, 4);
  assert.equal(await replicas('web'), 4);
  clock.advance(61_000);
  await waitFor(async () => (await replicas('web')) === 1, { message: 'scaled down to 1' });

  // Far above target: capped at maxReplicas.
  load.set('web', 1000);
  await waitFor(async () => (await replicas('web')) === 5, { message: 'scaled to max' });
  const limited = await waitFor(async () => {
    const h = await hpaOf('web');
    return condition(h, 'ScalingLimited')?.status === 'True' ? h : undefined;
  });
  assert.equal(condition(limited, 'ScalingLimited')?.reason, 'TooManyReplicas');
});

test('raises to minReplicas and reports metrics failures', async () => {
  await createHpa('small', 2, 3, [
    {
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
    },
  ]);
  await waitFor(async () => (await replicas('small')) === 2, { message: 'raised to min' });
  const rescale = await eventOf('small', 'SuccessfulRescale');
  assert.equal(rescale.message, 'New size: 2; reason: Current number of replicas below Spec.MinReplicas');
  // No metrics for these pods at all.
  const failing = await waitFor(async () => {
    const h = await hpaOf('small');
    return condition(h, 'ScalingActive')?.reason === 'FailedGetResourceMetric' ? h : undefined;
  });
  assert.equal(condition(failing, 'ScalingActive')?.status, 'False');
  await eventOf('small', 'FailedGetResourceMetric');
});

test('a ContainerResource metric counts one container; custom metrics report that no adapter serves them', async () => {
  // main uses all of its 100m request; the pod as a whole uses a tenth of its 1,000m.
  load.set('side', 200);
  await createHpa('side', 1, 6, [
    {
      type: 'ContainerResource',
      containerResource: {
        name: 'cpu',
        container: 'main',
        target: { type: 'Utilization', averageUtilization: 50 },
      },
    },
  ]);
  await waitFor(async () => (await replicas('side')) === 4, { message: 'scaled to 4 on main alone' });
  const rescale = await eventOf('side', 'SuccessfulRescale');
  assert.equal(
    rescale.message,
    'New size: 4; reason: cpu container resource utilization (percentage of request) above target',
  );
  // Steady once the new pods report too: a status written while one of the four had no metrics yet shows
  // the load spread over three.
  const steady = await waitFor(async () => {
    const h = await hpaOf('side');
    const metric = h.status?.currentMetrics?.[0]?.containerResource;
    return h.status?.currentReplicas === 4 && metric?.current.averageValue === '50m' ? h : undefined;
  });
  assert.deepEqual(steady.status?.currentMetrics?.[0], {
    type: 'ContainerResource',
    containerResource: {
      name: 'cpu',
      container: 'main',
      current: { averageUtilization: 50, averageValue: '50m' },
    },
  });

  // A container the pods do not have, and a Pods metric no adapter serves.
  await cluster.client
    .resource<HorizontalPodAutoscaler>(R.horizontalPodAutoscalers)
    .patch('default', 'side', 'merge', {
      spec: {
        metrics: [
          {
            type: 'ContainerResource',
            containerResource: {
              name: 'cpu',
              container: 'nope',
              target: { type: 'Utilization', averageUtilization: 50 },
            },
          },
          {
            type: 'Pods',
            pods: {
              metric: { name: 'requests_per_second' },
              target: { type: 'AverageValue', averageValue: '10' },
            },
          },
        ],
      },
    });
  const failing = await waitFor(async () => {
    const h = await hpaOf('side');
    return condition(h, 'ScalingActive')?.status === 'False' ? h : undefined;
  });
  assert.equal(condition(failing, 'ScalingActive')?.reason, 'FailedGetContainerResourceMetric');
  const noContainer =
    'failed to get cpu utilization: unable to get metrics for resource cpu: failed to get container metrics: ' +
    'container nope not present in metrics for pod default/';
  assert.ok(
    condition(failing, 'ScalingActive')?.message?.startsWith(
      `the HPA was unable to compute the replica count: ${noContainer}`,
    ),
    condition(failing, 'ScalingActive')?.message,
  );
  const events = await waitFor(async () => {
    const items = (await cluster.client.resource<Event>(R.events).list('default')).items.filter(
      (e) => e.involvedObject.name === 'side',
    );
    const byReason = (r: string) => items.find((e) => e.reason === r);
    const all = ['FailedGetContainerResourceMetric', 'FailedGetPodsMetric', 'FailedComputeMetricsReplicas'];
    return all.every(byReason) ? byReason : undefined;
  });
  assert.equal(
    events('FailedGetPodsMetric')?.message,
    'unable to get metric requests_per_second: unable to fetch metrics from custom metrics API: ' +
      'no custom metrics API (custom.metrics.k8s.io) registered',
  );
  assert.ok(
    events('FailedComputeMetricsReplicas')?.message?.startsWith(
      `invalid metrics (2 invalid out of 2), first error is: failed to get nope container metric value: ${noContainer}`,
    ),
    events('FailedComputeMetricsReplicas')?.message,
  );
  assert.equal(await replicas('side'), 4, 'no metric: no scaling');
});

test('scales a custom resource through its scale subresource', async () => {
  await cluster.client.resource(R.customResourceDefinitions).create(WORKERS_CRD);
  const workers = cluster.client.resource(WORKERS);
  // Served once the CRD is established.
  await waitFor(() =>
    workers
      .create({ metadata: { name: 'crw', namespace: 'default' }, spec: { replicas: 2 } })
      .then(() => true)
      .catch(() => false),
  );
  await workers.patch(
    'default',
    'crw',
    'merge',
    { status: { replicas: 2, selector: 'app=crw' } },
    {
      subresource: 'status',
    },
  );
  let syncing = true;
  const sync = (): void => {
    void syncPods('crw', WORKERS)
      .catch(() => {})
      .finally(() => {
        if (syncing && !stopped) setTimeout(sync, 30);
      });
  };
  sync();
  try {
    load.set('crw', 300);
    await podsRunning('crw', 2);
    await cluster.client.resource<HorizontalPodAutoscaler>(R.horizontalPodAutoscalers).create({
      metadata: { name: 'crw', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'example.com/v1', kind: 'Worker', name: 'crw' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
    });
    // 2 pods at 150% of their request against a 50% target → 6.
    await waitFor(
      async () =>
        ((await workers.get('default', 'crw')).spec as { replicas?: number } | undefined)?.replicas === 6,
      { message: 'custom resource scaled to 6' },
    );
    const rescale = await eventOf('crw', 'SuccessfulRescale');
    assert.match(rescale.message ?? '', /^New size: [46]; reason: cpu resource utilization/);
  } finally {
    syncing = false;
  }
});
