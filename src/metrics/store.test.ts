import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText } from './prometheus.js';
import { MetricsStore } from './store.js';

const scrape = (cpu: number, podCpu: number, ts: number): string => `# HELP node_cpu_usage_seconds_total x
# TYPE node_cpu_usage_seconds_total counter
node_cpu_usage_seconds_total ${cpu} ${ts}
node_memory_working_set_bytes 268435456 ${ts}
container_cpu_usage_seconds_total{container="web",namespace="default",pod="web-1"} ${podCpu} ${ts}
container_memory_working_set_bytes{container="web",namespace="default",pod="web-1"} 16777216 ${ts}
`;

test('parses samples with labels and timestamps', () => {
  const samples = parsePrometheusText('a{x="1",y="q\\"z"} 2.5 1000\n# c\nb 3\n');
  assert.deepEqual(samples, [
    { name: 'a', labels: { x: '1', y: 'q"z' }, value: 2.5, timestampMs: 1000 },
    { name: 'b', labels: {}, value: 3 },
  ]);
});

test('two scrapes give a cpu rate over the window', () => {
  const store = new MetricsStore();
  store.record('n1', parsePrometheusText(scrape(10, 1, 1_000_000)), 0);
  assert.deepEqual(store.getNodeMetrics(['n1']), [undefined]);
  store.record('n1', parsePrometheusText(scrape(13, 2.5, 1_015_000)), 0);
  const [node] = store.getNodeMetrics(['n1']);
  assert.deepEqual(node, {
    timestampMs: 1_015_000,
    windowMs: 15_000,
    usage: { cpu: '200m', memory: '256Mi' },
  });
  const [pod, missing] = store.getPodMetrics([
    { namespace: 'default', name: 'web-1' },
    { namespace: 'default', name: 'other' },
  ]);
  assert.deepEqual(pod?.containers, [{ name: 'web', usage: { cpu: '100m', memory: '16Mi' } }]);
  assert.equal(missing, undefined);
});

test('a counter reset starts the window over; dropping a node forgets its pods', () => {
  const store = new MetricsStore();
  store.record('n1', parsePrometheusText(scrape(10, 1, 1_000)), 0);
  store.record('n1', parsePrometheusText(scrape(1, 0.1, 2_000)), 0);
  assert.deepEqual(store.getNodeMetrics(['n1']), [undefined]);
  store.record('n1', parsePrometheusText(scrape(2, 0.2, 3_000)), 0);
  assert.equal(store.getNodeMetrics(['n1'])[0]?.usage.cpu, '1');
  store.drop('n1');
  assert.deepEqual(store.getPodMetrics([{ namespace: 'default', name: 'web-1' }]), [undefined]);
});
