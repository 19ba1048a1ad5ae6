import assert from 'node:assert/strict';
import { test } from 'node:test';
import { node, nodeInfo, pod, state, view } from '../../testing/fixtures.js';
import { ImageLocality } from './image-locality.js';

test('ImageLocality: nodes holding big images score higher, scaled by spread', () => {
  const MB = 1024 * 1024;
  const p = new ImageLocality();
  const nodes = [
    nodeInfo(node('has', { images: [{ names: ['docker.io/app:v1'], sizeBytes: 500 * MB }] })),
    nodeInfo(node('has-small', { images: [{ names: ['docker.io/app:v1'], sizeBytes: 10 * MB }] })),
    nodeInfo(node('none')),
    nodeInfo(node('none2')),
  ];
  const pi = pod('p', { containers: [{ name: 'c', image: 'docker.io/app:v1' }] });
  const s = state();
  p.preScore(s, pi, nodes, view(nodes));
  const scores = nodes.map((n) => p.score(s, pi, n));
  // 500 MB × (2 of 4 nodes) = 250 MB → (250 − 23) / (1000 − 23) of 100.
  assert.deepEqual(scores, [Math.trunc((100 * (250 * MB - 23 * MB)) / (977 * MB)), 0, 0, 0]);
});

test('ImageLocality: skips scoring when no node holds any of the pod images', () => {
  const p = new ImageLocality();
  const nodes = [
    nodeInfo(
      node('other-image', { images: [{ names: ['docker.io/other:v1'], sizeBytes: 500 * 1024 * 1024 }] }),
    ),
    nodeInfo(node('none')),
  ];
  const pi = pod('p', { containers: [{ name: 'c', image: 'docker.io/app:v1' }] });
  const s = state();
  assert.equal(p.preScore(s, pi, nodes, view(nodes))?.code, 'Skip');
  // Score, if run anyway, gives every node 0.
  assert.deepEqual(
    nodes.map((n) => p.score(s, pi, n)),
    [0, 0],
  );
});
