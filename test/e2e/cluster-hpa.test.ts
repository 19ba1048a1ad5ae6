/**
 * Autoscaling as users run it: the built `tugboat server` (its metrics scraper and HPA controller, both with a
 * short period), hollow nodes in a separate process reporting the load set in the `hollow-load` ConfigMap,
 * and the real kubectl.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { startHollowNodes, type HollowNodesProcess } from '../helpers/hollow.js';
import { startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
let hollow: HollowNodesProcess | undefined;
const ns = ['-n', 'autoscale'];

async function ok(...args: string[]): Promise<string> {
  const r = await s.kubectl(args, { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

async function hpa(): Promise<HorizontalPodAutoscaler> {
  return JSON.parse(await ok('get', 'hpa', 'web', ...ns, '-o', 'json')) as HorizontalPodAutoscaler;
}

async function runningWeb(): Promise<Pod[]> {
  const out = await ok('get', 'pods', ...ns, '-l', 'app=web', '-o', 'json');
  return (JSON.parse(out) as { items: Pod[] }).items.filter(
    (p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp,
  );
}

async function diagnostics(): Promise<string> {
  const r = await s.kubectl(['describe', 'hpa', 'web', ...ns]);
  const top = await s.kubectl(['top', 'pods', ...ns]);
  return `\n${r.stdout}${r.stderr}\n${top.stdout}${top.stderr}`;
}

/** waitFor, and on timeout fail with what the HPA and kubectl top say. */
async function waitExplained(
  check: () => Promise<boolean>,
  timeoutMs: number,
  message: string,
): Promise<void> {
  try {
    await waitFor(check, { timeoutMs, intervalMs: 250, message });
  } catch (err) {
    assert.fail(`${(err as Error).message}${await diagnostics()}`);
  }
}

before(async () => {
  s = await startServerProcess({
    datastoreEndpoint: 'memory://',
    args: ['--horizontal-pod-autoscaler-sync-period', '2', '--metric-resolution', '2'],
  });
  hollow = startHollowNodes(s.kubeconfig, 2, 'hpa-');
  await waitFor(
    async () => {
      const out = await ok(
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[*].status.conditions[?(@.type=="Ready")].status}',
      );
      return out.split(/\s+/).filter((x) => x === 'True').length === 2;
    },
    { timeoutMs: 60_000, message: '2 Ready hollow nodes' },
  );
  await ok('create', 'namespace', 'autoscale');
});

after(async () => {
  await hollow?.stop();
  await s?.stop();
});

test('kubectl autoscale scales a Deployment up under load and back down when it drops', async () => {
  const apply = await s.kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'autoscale' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
        },
      },
    }),
  });
  assert.equal(apply.code, 0, apply.stderr);
  // Total millicores over the ready app=web pods: 20m on one pod is 20% of its request.
  await ok('create', 'configmap', 'hollow-load', ...ns, '--from-literal=web=20');
  await ok('rollout', 'status', 'deployment/web', ...ns, '--timeout=90s');

  assert.match(
    await ok('autoscale', 'deployment', 'web', ...ns, '--cpu-percent=50', '--min=1', '--max=5'),
    /horizontalpodautoscaler.autoscaling\/web autoscaled/,
  );
  // Without this the default 5-minute downscale stabilization window would hold the replicas up.
  await ok(
    'patch',
    'hpa',
    'web',
    ...ns,
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } }),
  );
  assert.equal((await hpa()).spec?.behavior?.scaleDown?.stabilizationWindowSeconds, 0);

  // The HPA sees the low load first and keeps one replica.
  await waitExplained(
    async () => (await hpa()).status?.currentMetrics?.[0]?.resource?.current.averageUtilization !== undefined,
    60_000,
    "HPA reading the pod's cpu",
  );
  assert.equal((await hpa()).status?.desiredReplicas, 1);

  // 400m on one pod is 400% of its request against a 50% target: up to maxReplicas.
  await ok('patch', 'configmap', 'hollow-load', ...ns, '--type=merge', '-p', '{"data":{"web":"400"}}');
  await waitExplained(async () => (await hpa()).status?.currentReplicas === 5, 90_000, 'HPA scaled to 5');
  await waitFor(async () => (await runningWeb()).length === 5, {
    timeoutMs: 60_000,
    message: '5 web pods Running',
  });
  // The table of `kubectl get hpa`: NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE.
  await waitExplained(
    async () => /^web\s+Deployment\/web\s+cpu: \d+%\/50%\s+1\s+5\s+5\s/m.test(await ok('get', 'hpa', ...ns)),
    30_000,
    'kubectl get hpa showing 5 replicas and the cpu target',
  );
  assert.match(
    await ok('describe', 'hpa', 'web', ...ns),
    /SuccessfulRescale\s.*New size: \d; reason: cpu resource utilization \(percentage of request\) above target/,
  );

  // 50m over five pods is 10% each: back down to minReplicas once every new pod has metrics.
  await ok('patch', 'configmap', 'hollow-load', ...ns, '--type=merge', '-p', '{"data":{"web":"50"}}');
  await waitExplained(
    async () => (await hpa()).status?.currentReplicas === 1,
    90_000,
    'HPA scaled back to 1',
  );
  await waitFor(async () => (await runningWeb()).length === 1, {
    timeoutMs: 60_000,
    message: '1 web pod Running',
  });
  assert.match(await ok('describe', 'hpa', 'web', ...ns), /New size: 1; reason: All metrics below target/);
});
