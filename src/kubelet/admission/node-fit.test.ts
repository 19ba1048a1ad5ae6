import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { admitToNode } from './node-fit.js';

const node = (extra: Partial<Node['status']> = {}, spec: Node['spec'] = {}): Node => ({
  metadata: { name: 'n1', labels: { zone: 'a' } },
  spec,
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '3', 'example.com/dongle': '1' }, ...extra },
});
const pod = (requests: Record<string, string> = {}, extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { nodeName: 'n1', containers: [{ name: 'c', resources: { requests } }], ...extra },
});

describe('admitToNode', () => {
  it('admits a pod that fits beside the active ones', () => {
    assert.deepEqual(admitToNode(pod({ cpu: '1' }), [pod({ cpu: '1' })], node()), { admit: true });
  });

  it('reports cpu in millicores and memory in bytes, as upstream', () => {
    assert.deepEqual(admitToNode(pod({ cpu: '1500m' }), [pod({ cpu: '1' })], node()), {
      admit: false,
      reason: 'OutOfcpu',
      message: "Node didn't have enough resource: cpu, requested: 1500, used: 1000, capacity: 2000",
    });
    assert.deepEqual(admitToNode(pod({ memory: '3Gi' }), [pod({ memory: '2Gi' })], node()), {
      admit: false,
      reason: 'OutOfmemory',
      message: `Node didn't have enough resource: memory, requested: ${3 * 2 ** 30}, used: ${2 * 2 ** 30}, capacity: ${4 * 2 ** 30}`,
    });
  });

  it('counts pods first', () => {
    const r = admitToNode(pod({ cpu: '100' }), [pod(), pod(), pod()], node());
    assert.deepEqual(r, {
      admit: false,
      reason: 'OutOfpods',
      message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3",
    });
  });

  it('checks extended resources the node has, and leaves unknown ones to the cluster', () => {
    const r = admitToNode(pod({ 'example.com/dongle': '2' }), [], node());
    assert.equal(r.admit ? '' : r.reason, 'OutOfexample.com/dongle');
    assert.deepEqual(admitToNode(pod({ 'other.io/thing': '5' }), [], node()), { admit: true });
    const huge = admitToNode(pod({ 'hugepages-2Mi': '4Mi' }), [], node());
    assert.equal(huge.admit ? '' : huge.reason, 'OutOfhugepages-2Mi');
  });

  it('refuses a node selector, host port or NoExecute taint that does not fit', () => {
    const sel = admitToNode(pod({}, { nodeSelector: { zone: 'b' } }), [], node());
    assert.equal(sel.admit ? '' : sel.reason, 'NodeAffinity');
    const port = (ip?: string): Partial<Pod['spec']> => ({
      containers: [
        { name: 'c', ports: [{ containerPort: 80, hostPort: 8080, ...(ip ? { hostIP: ip } : {}) }] },
      ],
    });
    const clash = admitToNode(pod({}, port('10.0.0.1')), [pod({}, port())], node());
    assert.equal(clash.admit ? '' : clash.reason, 'NodePorts');
    assert.deepEqual(admitToNode(pod({}, port('10.0.0.1')), [pod({}, port('10.0.0.2'))], node()), {
      admit: true,
    });
    const tainted = node({}, { taints: [{ key: 'k', effect: 'NoExecute' }] });
    const t = admitToNode(pod(), [], tainted);
    assert.equal(t.admit ? '' : t.reason, 'TaintToleration');
    const tolerated = pod({}, { tolerations: [{ key: 'k', operator: 'Exists' }] });
    assert.deepEqual(admitToNode(tolerated, [], tainted), { admit: true });
    const noSchedule = node({}, { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    assert.deepEqual(admitToNode(pod(), [], noSchedule), { admit: true });
  });
});
