import assert from 'node:assert/strict';
import { test } from 'node:test';
import { node, nodeInfo, pod, state } from '../../testing/fixtures.js';
import { NodeName } from './node-name.js';

test('NodeName', () => {
  const p = new NodeName();
  const n = nodeInfo(node('n1'));
  assert.equal(p.filter(state(), pod('p'), n), null);
  assert.equal(p.filter(state(), pod('p', { nodeName: 'n1' }), n), null);
  assert.deepEqual(p.filter(state(), pod('p', { nodeName: 'n2' }), n)?.reasons, [
    "node(s) didn't match the requested node name",
  ]);
});
