import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { ConfigMap, Event, Pod } from 'kubernetes-types/core/v1.js';
import { R } from '../../src/client/index.js';
import { horizontalPodAutoscalerController } from '../../src/controllers/hpa/index.js';
import { HollowNodes } from '../../src/hollow/index.js';
import { MetricsScraper } from '../../src/metrics/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { kubectlWith, type KubeconfigKubectl, type KubectlResult } from '../helpers/kubectl.js';

let cluster: TestCluster;
let hollow: HollowNodes;
let scraper: MetricsScraper;
let k: KubeconfigKubectl | undefined;

before(async () => {
  cluster = await startTestCluster(
    { 'horizontal-pod-autoscaler': horizontalPodAutoscalerController },
    { options: { hpaSyncPeriodMs: 200 } },
  );
  const config = { server: cluster.server.url };
  hollow = new HollowNodes({ client: config, count: 2 });
  await hollow.start();
  scraper = new MetricsScraper({ client: config, intervalMs: 250 });
  await scraper.start();
  cluster.server.server.context.metrics = scraper;
  k = kubectlWith(cluster.server.kubeconfig);
});

after(async () => {
  await scraper?.stop();
  await hollow?.stop();
  await cluster?.close();
  k?.close();
});

const run = (...args: string[]): Promise<KubectlResult> => k!.run(...args);
const ok = (...args: string[]): Promise<string> => k!.ok(...args);

function rows(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
}

test('kubectl top nodes lists every hollow node with usage and percentages', async () => {
  const out = await waitFor(
    async () => {
      const r = await run('top', 'nodes');
      return r.code === 0 && r.stdout.includes('hollow-node-1') ? r.stdout : undefined;
    },
    { timeoutMs: 20_000, message: 'kubectl top nodes' },
  );
  const [header, ...body] = rows(out);
  assert.deepEqual(header?.slice(0, 2), ['NAME', 'CPU(cores)']);
  assert.deepEqual(body.map((r) => r[0]).sort(), ['hollow-node-0', 'hollow-node-1']);
  for (const r of body) {
    assert.match(r[1] ?? '', /^\d+m$/);
    assert.match(r[2] ?? '', /^\d+%$/);
  }
});

test('kubectl top pods and kubectl autoscale drive a working HPA', async () => {
  await cluster.client.resource<Deployment>(R.deployments).create({
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'main', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
      },
    },
  });
  // The deployment controller is not part of this test: its two pods are bound by hand.
  const pods = cluster.client.resource<Pod>(R.pods);
  for (const i of [0, 1]) {
    await pods.create({
      metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web' } },
      spec: {
        nodeName: `hollow-node-${i}`,
        containers: [{ name: 'main', image: 'nginx', resources: { requests: { cpu: '100m' } } }],
      },
    });
  }
  await cluster.client.resource<ConfigMap>(R.configMaps).create({
    metadata: { name: 'hollow-load', namespace: 'default' },
    data: { web: '400' },
  });
  const top = await waitFor(
    async () => {
      const r = await run('top', 'pods', '-l', 'app=web');
      if (r.code !== 0) return undefined;
      const body = rows(r.stdout).slice(1);
      return body.length === 2 && body.every((row) => Math.abs(parseInt(row[1] ?? '0', 10) - 200) <= 5)
        ? r.stdout
        : undefined;
    },
    { timeoutMs: 20_000, message: 'kubectl top pods shows 200m per pod' },
  );
  assert.match(top, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);

  const created = await ok('autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5');
  assert.match(created, /horizontalpodautoscaler.autoscaling\/web autoscaled/);
  // 200% of request against a 50% target wants 8; without behavior the first step is capped at max(2×2, 4)
  // (and later steps at maxReplicas 5, since the pods added are not started in this test).
  await waitFor(
    async () =>
      ((await cluster.client.resource<Deployment>(R.deployments).get('default', 'web')).spec?.replicas ??
        0) >= 4,
    { timeoutMs: 20_000, message: 'scaled up' },
  );
  const events = await waitFor(async () => {
    const list = await cluster.client.resource<Event>(R.events).list('default');
    const msgs = list.items.filter((e) => e.reason === 'SuccessfulRescale').map((e) => e.message);
    return msgs.length > 0 ? msgs : undefined;
  });
  assert.equal(
    events[0],
    'New size: 4; reason: cpu resource utilization (percentage of request) above target',
  );
  const hpa = await cluster.client
    .resource<HorizontalPodAutoscaler>(R.horizontalPodAutoscalers)
    .get('default', 'web');
  assert.equal(hpa.spec?.maxReplicas, 5);
  assert.ok((hpa.status?.desiredReplicas ?? 0) >= 4);
  const described = await ok('get', 'hpa', 'web');
  assert.match(described, /Deployment\/web/);
});
