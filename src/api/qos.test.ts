import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { qosClass } from './qos.js';

const pod = (...containers: Container['resources'][]): Pod => ({
  spec: { containers: containers.map((resources, i) => ({ name: `c${i}`, resources })) },
});

void test('QoS classes as upstream computes them', () => {
  assert.equal(qosClass(pod({})), 'BestEffort');
  assert.equal(qosClass(pod({ requests: { 'ephemeral-storage': '1Gi', cpu: '0' } })), 'BestEffort');
  assert.equal(qosClass(pod({ requests: { cpu: '100m' } })), 'Burstable');
  const exact = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } };
  assert.equal(qosClass(pod(exact, exact)), 'Guaranteed');
  assert.equal(qosClass(pod(exact, { requests: { cpu: '1' }, limits: { cpu: '1' } })), 'Burstable');
  // The pod's summed requests and limits are compared, not each container's.
  assert.equal(
    qosClass(
      pod(
        { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } },
        { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
      ),
    ),
    'Guaranteed',
  );
  const initOnly: Pod = {
    spec: {
      containers: [{ name: 'app' }],
      initContainers: [{ name: 'i', resources: { requests: { memory: '1Mi' } } }],
    },
  };
  assert.equal(qosClass(initOnly), 'Burstable');
});
