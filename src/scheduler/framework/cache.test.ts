import assert from 'node:assert/strict';
import { test } from 'node:test';
import { node, pod } from '../testing/fixtures.js';
import { SchedulerCache } from './cache.js';

test('cache: assume reserves, the watch confirms, forget releases; sums stay incremental', () => {
  const c = new SchedulerCache();
  c.addNode(node('n1', { cpu: '4' }));
  c.addNode(node('n2', { cpu: '4' }));
  const p = pod('p', {}, { requests: { cpu: '1' } });
  c.assumePod(p, 'n1');
  assert.equal(c.node('n1')?.requested.get('cpu'), 1000);
  assert.ok(c.isAssumed(p.key));
  c.forgetPod(p.key);
  assert.equal(c.node('n1')?.requested.get('cpu'), 0);

  c.assumePod(p, 'n1');
  c.addPod(p, 'n1'); // the bound pod arrives through the watch
  assert.equal(c.isAssumed(p.key), false);
  c.forgetPod(p.key); // a late failure report no longer drops it
  assert.equal(c.node('n1')?.pods.length, 1);

  c.removeNode('n1');
  assert.deepEqual(
    c.nodes().map((n) => n.name),
    ['n2'],
  );
  c.removePod(p.key);
  assert.equal(c.podCount(), 0);
});

test('cache: pods with affinity and images are tracked per node', () => {
  const c = new SchedulerCache();
  c.addNode(node('n1', { images: [{ names: ['nginx'], sizeBytes: 100 }] }));
  c.addNode(node('n2', { images: [{ names: ['nginx:latest'], sizeBytes: 100 }] }));
  assert.equal(c.imageNodeCount('nginx:latest'), 2);
  const anti = pod('anti', {
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'zone', labelSelector: {} }],
      },
    },
  });
  c.addPod(anti, 'n2');
  assert.deepEqual(
    c.nodesWithRequiredAntiAffinityPods().map((n) => n.name),
    ['n2'],
  );
  c.removePod(anti.key);
  assert.equal(c.nodesWithRequiredAntiAffinityPods().length, 0);
});
