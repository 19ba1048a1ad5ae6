import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import {
  admitNodeRequest,
  forbiddenNodeLabels,
  isKubeletLabel,
  type NodeAdmissionRequest,
  type NodeRestrictionLookups,
} from './node-restriction.js';

const n1 = { username: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

const pods: Record<string, KubeObject> = {
  mine: { metadata: { name: 'mine', namespace: 'default', uid: 'uid-mine' }, spec: { nodeName: 'n1' } },
  theirs: { metadata: { name: 'theirs', namespace: 'default', uid: 'uid-theirs' }, spec: { nodeName: 'n2' } },
};
const nodes: Record<string, KubeObject> = {
  n1: { metadata: { name: 'n1', uid: 'node-uid-1', labels: { 'kubernetes.io/hostname': 'host-1' } } },
};
const lookups: NodeRestrictionLookups = {
  pod: (_ns, name) => Promise.resolve(pods[name]),
  node: (name) => Promise.resolve(nodes[name]),
};

type Partial = Omit<NodeAdmissionRequest, 'user' | 'group'> & { group?: string };

async function admit(req: Partial, user = n1): Promise<string | undefined> {
  try {
    await admitNodeRequest({ user, group: '', ...req }, lookups);
    return undefined;
  } catch (err) {
    if (!isApiError(err)) throw err;
    return `${err.status.code} ${err.status.message}`;
  }
}

describe('NodeRestriction', () => {
  test('leaves other users alone, refuses a node without a name', async () => {
    const bob = { username: 'bob', groups: ['system:authenticated'] };
    assert.equal(
      admitNodeRequest({ user: bob, operation: 'DELETE', group: '', resource: 'nodes', name: 'n2' }, lookups),
      undefined,
    );
    assert.equal(
      await admit(
        { operation: 'UPDATE', resource: 'nodes', name: 'x' },
        { username: 'system:node:', groups: ['system:nodes'] },
      ),
      '403 nodes "x" is forbidden: could not determine node from user "system:node:"',
    );
  });

  describe('nodes', () => {
    const node = (labels: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject => ({
      metadata: { name: 'n1', labels },
      spec,
    });

    test('only its own Node', async () => {
      assert.equal(
        await admit({
          operation: 'UPDATE',
          resource: 'nodes',
          subresource: 'status',
          name: 'n2',
          object: node({}),
        }),
        '403 nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
      );
      assert.equal(
        await admit({ operation: 'DELETE', resource: 'nodes', name: 'n2' }),
        '403 nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
      );
      assert.equal(
        await admit({
          operation: 'UPDATE',
          resource: 'nodes',
          subresource: 'status',
          name: 'n1',
          object: node({}),
          oldObject: node({}),
        }),
        undefined,
      );
      assert.equal(await admit({ operation: 'DELETE', resource: 'nodes', name: 'n1' }), undefined);
    });

    test('kubelet labels only, on create and on update', async () => {
      const kubelet = {
        'kubernetes.io/hostname': 'h',
        'kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': 'z',
        'node.kubernetes.io/instance-type': 't',
        'kubelet.kubernetes.io/x': 'y',
        'example.com/mine': 'ok',
      };
      assert.equal(
        await admit({ operation: 'CREATE', resource: 'nodes', name: 'n1', object: node(kubelet) }),
        undefined,
      );
      assert.equal(
        await admit({
          operation: 'CREATE',
          resource: 'nodes',
          name: 'n1',
          object: node({
            ...kubelet,
            'node-role.kubernetes.io/control-plane': '',
            'node-restriction.kubernetes.io/a': 'b',
          }),
        }),
        '403 nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/a, node-role.kubernetes.io/control-plane',
      );
      // A label set by someone else may stay; removing or changing it is refused.
      const old = node({ 'node-role.kubernetes.io/worker': '', 'example.com/a': '1' });
      assert.equal(
        await admit({
          operation: 'UPDATE',
          resource: 'nodes',
          name: 'n1',
          object: node({ 'node-role.kubernetes.io/worker': '', 'example.com/a': '2' }),
          oldObject: old,
        }),
        undefined,
      );
      assert.equal(
        await admit({
          operation: 'UPDATE',
          resource: 'nodes',
          name: 'n1',
          object: node({ 'example.com/a': '1' }),
          oldObject: old,
        }),
        '403 nodes "n1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/worker',
      );
    });

    test('taints may be set on create but never changed; no configSource', async () => {
      const taints = [{ key: 'k', effect: 'NoSchedule' }];
      assert.equal(
        await admit({ operation: 'CREATE', resource: 'nodes', name: 'n1', object: node({}, { taints }) }),
        undefined,
      );
      assert.equal(
        await admit({
          operation: 'UPDATE',
          resource: 'nodes',
          name: 'n1',
          object: node({}, {}),
          oldObject: node({}, { taints }),
        }),
        '403 nodes "n1" is forbidden: node "n1" is not allowed to modify taints',
      );
      assert.equal(
        await admit({
          operation: 'UPDATE',
          resource: 'nodes',
          name: 'n1',
          object: node({}, { taints: [] }),
          oldObject: node({}, {}),
        }),
        undefined,
        'absent and empty are the same',
      );
      assert.equal(
        await admit({
          operation: 'CREATE',
          resource: 'nodes',
          name: 'n1',
          object: node({}, { configSource: { configMap: {} } }),
        }),
        '403 nodes "n1" is forbidden: node "n1" is not allowed to create pods with a non-nil configSource',
      );
    });

    test('label rules as upstream', () => {
      assert.ok(isKubeletLabel('kubernetes.io/hostname'));
      assert.ok(isKubeletLabel('failure-domain.beta.kubernetes.io/region'));
      assert.ok(isKubeletLabel('foo.node.kubernetes.io/bar'));
      assert.ok(!isKubeletLabel('node-role.kubernetes.io/master'));
      assert.deepEqual(
        forbiddenNodeLabels(['a.k8s.io/x', 'k8s.io/y', 'other.io/z', 'z.node-restriction.kubernetes.io/q']),
        ['a.k8s.io/x', 'k8s.io/y', 'z.node-restriction.kubernetes.io/q'],
      );
    });
  });

  describe('pods', () => {
    const mirror = (over: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): KubeObject => ({
      metadata: {
        name: 'static-web',
        namespace: 'default',
        annotations: { 'kubernetes.io/config.mirror': 'hash' },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid-1', controller: true },
        ],
        ...over,
      },
      spec: { nodeName: 'n1', containers: [{ name: 'c' }], ...spec },
    });
    const create = (object: KubeObject) =>
      admit({
        operation: 'CREATE',
        resource: 'pods',
        namespace: 'default',
        name: object.metadata?.name ?? '',
        object,
      });

    test('creates mirror pods of its own only, referring to nothing', async () => {
      assert.equal(
        await create({ metadata: { name: 'plain' }, spec: { nodeName: 'n1' } }),
        '403 pods "plain" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods',
      );
      assert.equal(await create(mirror()), undefined);
      assert.equal(
        await create(mirror({}, { nodeName: 'n2' })),
        '403 pods "static-web" is forbidden: node "n1" can only create pods with spec.nodeName set to itself',
      );
      assert.equal(
        await create(mirror({ ownerReferences: [] })),
        '403 pods "static-web" is forbidden: node "n1" can only create pods with an owner reference set to itself',
      );
      assert.equal(
        await create(
          mirror({
            ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'stale', controller: true }],
          }),
        ),
        '403 pods "static-web" is forbidden: node n1 UID mismatch: expected stale got node-uid-1',
      );
      assert.equal(
        await create(mirror({}, { serviceAccountName: 'default' })),
        '403 pods "static-web" is forbidden: node "n1" can not create pods that reference a service account',
      );
      assert.equal(
        await create(mirror({}, { volumes: [{ name: 'v', secret: { secretName: 's' } }] })),
        '403 pods "static-web" is forbidden: node "n1" can not create pods that reference secrets',
      );
      assert.equal(
        await create(mirror({}, { volumes: [{ name: 'v', configMap: { name: 'c' } }] })),
        '403 pods "static-web" is forbidden: node "n1" can not create pods that reference configmaps',
      );
      assert.equal(
        await create(mirror({}, { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }] })),
        '403 pods "static-web" is forbidden: node "n1" can not create pods that reference persistentvolumeclaims',
      );
    });

    test('deletes, updates status of and evicts pods bound to itself', async () => {
      const pod = (name: string) => ({ namespace: 'default', name, oldObject: pods[name]! });
      assert.equal(await admit({ operation: 'DELETE', resource: 'pods', ...pod('mine') }), undefined);
      assert.equal(
        await admit({ operation: 'DELETE', resource: 'pods', ...pod('theirs') }),
        '403 pods "theirs" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself',
      );
      const status = (name: string, object: KubeObject = pods[name]!) =>
        admit({ operation: 'UPDATE', resource: 'pods', subresource: 'status', ...pod(name), object });
      assert.equal(await status('mine'), undefined);
      assert.equal(
        await status('theirs'),
        '403 pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
      );
      assert.equal(
        await status('mine', { ...pods.mine, metadata: { ...pods.mine!.metadata, labels: { a: 'b' } } }),
        '403 pods "mine" is forbidden: node "n1" cannot update labels through pod status',
      );
      const evict = (name: string) =>
        admit({
          operation: 'CREATE',
          resource: 'pods',
          subresource: 'eviction',
          namespace: 'default',
          name,
          object: {},
        });
      assert.equal(await evict('mine'), undefined);
      assert.equal(
        await evict('theirs'),
        '403 pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself',
      );
      assert.match((await evict('gone')) ?? '', /^404 pods "gone" not found/);
      assert.equal(
        await admit({ operation: 'UPDATE', resource: 'pods', ...pod('mine'), object: pods.mine! }),
        '403 pods "mine" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods',
      );
      assert.equal(
        await admit({
          operation: 'UPDATE',
          resource: 'pods',
          subresource: 'ephemeralcontainers',
          ...pod('mine'),
        }),
        `403 pods "mine" is forbidden: unexpected pod subresource "ephemeralcontainers", only 'status' and 'eviction' are allowed`,
      );
    });
  });

  test('leases: its own in kube-node-lease', async () => {
    const lease = (operation: NodeAdmissionRequest['operation'], namespace: string, name: string) =>
      admit({
        operation,
        group: 'coordination.k8s.io',
        resource: 'leases',
        namespace,
        name,
        object: { metadata: { name } },
      });
    assert.equal(await lease('CREATE', 'kube-node-lease', 'n1'), undefined);
    assert.equal(await lease('UPDATE', 'kube-node-lease', 'n1'), undefined);
    assert.equal(
      await lease('CREATE', 'kube-node-lease', 'n2'),
      '403 leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node',
    );
    assert.equal(
      await lease('UPDATE', 'kube-system', 'n1'),
      '403 leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
    );
  });

  test('tokens bound to pods on the node', async () => {
    const token = (boundObjectRef?: Record<string, unknown>) =>
      admit({
        operation: 'CREATE',
        resource: 'serviceaccounts',
        subresource: 'token',
        namespace: 'default',
        name: 'default',
        object: { spec: { ...(boundObjectRef ? { boundObjectRef } : {}) } },
      });
    const ref = (name: string, uid: string) => ({ apiVersion: 'v1', kind: 'Pod', name, uid });
    assert.equal(await token(ref('mine', 'uid-mine')), undefined);
    assert.equal(
      await token(),
      '403 serviceaccounts "default" is forbidden: node requested token not bound to a pod',
    );
    assert.equal(
      await token({ apiVersion: 'v1', kind: 'Pod', name: 'mine' }),
      '403 serviceaccounts "default" is forbidden: node requested token with a pod binding without a uid',
    );
    assert.equal(
      await token(ref('mine', 'old-uid')),
      '403 serviceaccounts "default" is forbidden: the UID in the bound object reference (old-uid) does not match the UID in record. The object might have been deleted and then recreated',
    );
    assert.equal(
      await token(ref('theirs', 'uid-theirs')),
      '403 serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node',
    );
  });

  test('claims: status resize fields only', async () => {
    const pvc = (status: Record<string, unknown>): KubeObject => ({
      metadata: { name: 'data', namespace: 'default', resourceVersion: '5' },
      spec: { resources: { requests: { storage: '2Gi' } } },
      status,
    });
    const old = pvc({ phase: 'Bound', capacity: { storage: '1Gi' } });
    const write = (object: KubeObject, subresource = 'status') =>
      admit({
        operation: 'UPDATE',
        resource: 'persistentvolumeclaims',
        subresource,
        namespace: 'default',
        name: 'data',
        object,
        oldObject: old,
      });
    assert.equal(
      await write(pvc({ phase: 'Bound', capacity: { storage: '2Gi' }, conditions: [] })),
      undefined,
    );
    assert.equal(
      await write(pvc({ phase: 'Lost', capacity: { storage: '1Gi' } })),
      '403 persistentvolumeclaims "data" is forbidden: node "n1" is not allowed to update fields other than status.capacity and status.conditions: status.phase',
    );
    assert.equal(
      await write(old, ''),
      '403 persistentvolumeclaims "data" is forbidden: may only update PVC status',
    );
  });

  test('persistent volumes: only the released local-path volumes of the node', async () => {
    const pv = (over: { phase?: string; host?: string; provisioner?: string } = {}): KubeObject => ({
      metadata: {
        name: 'pv-1',
        annotations: { 'pv.kubernetes.io/provisioned-by': over.provisioner ?? 'tugboat.dev/local-path' },
      },
      spec: {
        persistentVolumeReclaimPolicy: 'Delete',
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'kubernetes.io/hostname', operator: 'In', values: [over.host ?? 'host-1'] },
                ],
              },
            ],
          },
        },
      },
      status: { phase: over.phase ?? 'Released' },
    });
    const del = (oldObject: KubeObject) =>
      admit({ operation: 'DELETE', resource: 'persistentvolumes', name: 'pv-1', oldObject });
    assert.equal(await del(pv()), undefined);
    const refused =
      '403 persistentvolumes "pv-1" is forbidden: node "n1" can only delete released volumes of the "tugboat.dev/local-path" provisioner with a node affinity for itself';
    assert.equal(await del(pv({ host: 'host-2' })), refused);
    assert.equal(await del(pv({ phase: 'Bound' })), refused);
    assert.equal(await del(pv({ provisioner: 'other' })), refused);
  });

  test('everything else passes (the authorizer decided)', async () => {
    assert.equal(
      await admit({ operation: 'CREATE', resource: 'events', namespace: 'default', name: 'e', object: {} }),
      undefined,
    );
    assert.equal(
      await admit({
        operation: 'UPDATE',
        group: 'apps',
        resource: 'deployments',
        namespace: 'default',
        name: 'd',
      }),
      undefined,
    );
  });
});
