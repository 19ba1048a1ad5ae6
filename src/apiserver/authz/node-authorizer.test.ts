import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { StoredObject } from '../../api/meta.js';
import { Authorizer } from './authorizer.js';
import { Authorization } from './index.js';
import { NodeAuthorizer } from './node-authorizer.js';
import { NodeGraph } from './node-graph.js';
import { nodeIdentity } from './node-identity.js';
import { RbacIndex } from './rbac-index.js';
import type { Attributes } from './types.js';

const node = (name: string) => ({
  username: `system:node:${name}`,
  groups: ['system:nodes', 'system:authenticated'],
});
const n1 = node('n1');

function attrs(
  user: Attributes['user'],
  verb: string,
  resource: string,
  more: Partial<Attributes> = {},
): Attributes {
  const [res, sub] = resource.split('/');
  return {
    user,
    verb,
    resourceRequest: true,
    path: '',
    apiGroup: '',
    apiVersion: 'v1',
    resource: res!,
    subresource: sub ?? '',
    namespace: 'default',
    name: '',
    ...more,
  };
}

const pod = (name: string, nodeName: string, spec: Record<string, unknown> = {}, namespace = 'default') =>
  ({
    metadata: { name, namespace, resourceVersion: '1', uid: `uid-${name}` },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c' }], ...spec },
  }) as unknown as StoredObject;

const claim = (name: string, volumeName: string, namespace = 'default') =>
  ({
    metadata: { name, namespace, resourceVersion: '1' },
    spec: volumeName ? { volumeName } : {},
  }) as unknown as StoredObject;

function setup(): { graph: NodeGraph; authz: NodeAuthorizer } {
  const graph = new NodeGraph();
  return { graph, authz: new NodeAuthorizer(graph) };
}

const get = (resource: string, name: string, more: Partial<Attributes> = {}) =>
  attrs(n1, 'get', resource, { name, ...more });

describe('node identity', () => {
  test('system:node:<name> in system:nodes, as upstream', () => {
    assert.equal(nodeIdentity(n1), 'n1');
    assert.equal(nodeIdentity({ username: 'system:node:n1', groups: ['system:authenticated'] }), undefined);
    assert.equal(nodeIdentity({ username: 'n1', groups: ['system:nodes'] }), undefined);
    assert.equal(nodeIdentity({ username: 'system:node:', groups: ['system:nodes'] }), '');
  });

  test('others get no opinion; a node without a name is told so', () => {
    const { authz } = setup();
    assert.deepEqual(authz.authorize(attrs({ username: 'bob', groups: [] }, 'get', 'nodes')), {
      allowed: false,
      reason: '',
    });
    const nameless = authz.authorize(
      attrs({ username: 'system:node:', groups: ['system:nodes'] }, 'get', 'nodes'),
    );
    assert.deepEqual(nameless, { allowed: false, reason: 'unknown node for user "system:node:"' });
  });
});

describe('Node authorizer graph', () => {
  test('secrets a bound pod refers to, in every way upstream visits', () => {
    const { graph, authz } = setup();
    graph.putPod(
      pod('web', 'n1', {
        imagePullSecrets: [{ name: 'pull' }],
        initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: 'init-env' } }] }],
        containers: [
          { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'key-ref', key: 'k' } } }] },
        ],
        ephemeralContainers: [{ name: 'e', envFrom: [{ secretRef: { name: 'debug' } }] }],
        volumes: [
          { name: 'a', secret: { secretName: 'vol' } },
          { name: 'b', projected: { sources: [{ secret: { name: 'projected' } }] } },
          { name: 'c', csi: { driver: 'x', nodePublishSecretRef: { name: 'csi' } } },
          { name: 'd', azureFile: { secretName: 'azure', shareName: 's' } },
          { name: 'e', rbd: { monitors: [], image: 'i', secretRef: { name: 'rbd' } } },
        ],
      }),
    );
    for (const name of ['pull', 'init-env', 'key-ref', 'debug', 'vol', 'projected', 'csi', 'azure', 'rbd'])
      assert.deepEqual(authz.authorize(get('secrets', name)), { allowed: true, reason: '' }, name);
    const other = authz.authorize(get('secrets', 'other'));
    assert.equal(other.allowed, false);
    assert.equal(other.reason, "no relationship found between node 'n1' and this object");
    assert.equal(other.graphMiss, true);
    // Same name, other namespace.
    assert.equal(authz.authorize(get('secrets', 'vol', { namespace: 'kube-system' })).allowed, false);
  });

  test('configmaps by volume, projection and env; a pod on another node grants nothing to n1', () => {
    const { graph, authz } = setup();
    graph.putPod(
      pod('a', 'n1', {
        containers: [
          {
            name: 'c',
            envFrom: [{ configMapRef: { name: 'env-from' } }],
            env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'key-ref', key: 'k' } } }],
          },
        ],
        volumes: [
          { name: 'v', configMap: { name: 'vol' } },
          { name: 'p', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }] } },
        ],
      }),
    );
    graph.putPod(pod('b', 'n2', { volumes: [{ name: 'v', configMap: { name: 'theirs' } }] }));
    for (const name of ['env-from', 'key-ref', 'vol', 'kube-root-ca.crt'])
      assert.equal(authz.authorize(get('configmaps', name)).allowed, true, name);
    assert.equal(authz.authorize(get('configmaps', 'theirs')).allowed, false);
    assert.equal(authz.authorize(attrs(node('n2'), 'get', 'configmaps', { name: 'theirs' })).allowed, true);
    assert.equal(authz.authorize(attrs(node('n2'), 'get', 'configmaps', { name: 'vol' })).allowed, false);
  });

  test('only reads of single named objects: list/watch need a name, writes and subresources are refused', () => {
    const { graph, authz } = setup();
    graph.putPod(pod('a', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
    assert.equal(authz.authorize(attrs(n1, 'list', 'secrets', { name: 's' })).allowed, true);
    assert.equal(authz.authorize(attrs(n1, 'watch', 'secrets', { name: 's' })).allowed, true);
    assert.deepEqual(authz.authorize(attrs(n1, 'list', 'secrets')), {
      allowed: false,
      reason: 'No Object name found',
    });
    assert.deepEqual(authz.authorize(attrs(n1, 'update', 'secrets', { name: 's' })), {
      allowed: false,
      reason: 'can only read resources of this type',
    });
    assert.deepEqual(authz.authorize(attrs(n1, 'list', 'secrets', { namespace: '' })), {
      allowed: false,
      reason: 'can only read namespaced object of this type',
    });
  });

  test('claims, ephemeral claims, the volumes they are bound to, and claim status', () => {
    const { graph, authz } = setup();
    graph.putPod(
      pod('db', 'n1', {
        volumes: [
          { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
          { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } },
        ],
      }),
    );
    graph.putClaim(claim('data', 'pv-1'));
    graph.putClaim(claim('unused', 'pv-2'));
    assert.equal(authz.authorize(get('persistentvolumeclaims', 'data')).allowed, true);
    assert.equal(authz.authorize(get('persistentvolumeclaims', 'db-scratch')).allowed, true);
    assert.equal(authz.authorize(get('persistentvolumeclaims', 'unused')).allowed, false);
    const pv = (name: string) => get('persistentvolumes', name, { namespace: '' });
    assert.equal(authz.authorize(pv('pv-1')).allowed, true);
    assert.equal(authz.authorize(pv('pv-2')).allowed, false);
    // A claim rebound elsewhere (or deleted) no longer leads to its old volume.
    graph.putClaim(claim('data', 'pv-3'));
    assert.equal(authz.authorize(pv('pv-1')).allowed, false);
    assert.equal(authz.authorize(pv('pv-3')).allowed, true);
    graph.removeClaim('data', 'default');
    assert.equal(authz.authorize(pv('pv-3')).allowed, false);
    assert.deepEqual(authz.authorize(attrs(n1, 'list', 'persistentvolumeclaims')), {
      allowed: false,
      reason: 'can only get individual resources of this type',
    });
    const status = (verb: string) => attrs(n1, verb, 'persistentvolumeclaims/status', { name: 'data' });
    assert.equal(authz.authorize(status('patch')).allowed, true);
    assert.equal(authz.authorize(status('get')).reason, 'can only get/update/patch this type');
  });

  test("service account tokens for the pods' accounts only", () => {
    const { graph, authz } = setup();
    graph.putPod(pod('a', 'n1', { serviceAccountName: 'builder' }));
    graph.putPod(pod('b', 'n1'));
    const token = (name: string) => attrs(n1, 'create', 'serviceaccounts/token', { name });
    assert.equal(authz.authorize(token('builder')).allowed, true);
    assert.equal(authz.authorize(token('default')).allowed, true, 'an unnamed account is default');
    assert.equal(authz.authorize(token('admin')).allowed, false);
    assert.equal(
      authz.authorize(attrs(n1, 'get', 'serviceaccounts', { name: 'builder' })).reason,
      'can only create tokens for individual service accounts',
    );
  });

  test('pods leave the graph when deleted, unbound or turned into something else', () => {
    const { graph, authz } = setup();
    const mounts = (secret: string) => ({ volumes: [{ name: 'v', secret: { secretName: secret } }] });
    graph.putPod(pod('a', 'n1', mounts('s1')));
    graph.putPod(pod('b', 'n1', mounts('s1')));
    graph.removePod('a', 'default');
    assert.equal(authz.authorize(get('secrets', 's1')).allowed, true, 'b still mounts it');
    graph.removePod('b', 'default');
    assert.equal(authz.authorize(get('secrets', 's1')).allowed, false);
    // The same name recreated on another node with other references.
    graph.putPod(pod('a', 'n1', mounts('s1')));
    graph.putPod(pod('a', 'n2', mounts('s2')));
    assert.equal(authz.authorize(get('secrets', 's1')).allowed, false);
    assert.equal(authz.authorize(attrs(node('n2'), 'get', 'secrets', { name: 's2' })).allowed, true);
    // Unbound pods and mirror pods are not in the graph.
    graph.putPod(pod('a', '', mounts('s2')));
    graph.putPod(pod('m', 'n1', mounts('s3')));
    graph.putPod({
      ...pod('m', 'n1', mounts('s3')),
      metadata: {
        name: 'm',
        namespace: 'default',
        resourceVersion: '2',
        annotations: { 'kubernetes.io/config.mirror': 'x' },
      },
    } as unknown as StoredObject);
    assert.equal(authz.authorize(attrs(node('n2'), 'get', 'secrets', { name: 's2' })).allowed, false);
    assert.equal(authz.authorize(get('secrets', 's3')).allowed, false);
    assert.equal(graph.podCount, 0);
  });

  test('tens of thousands of pods come and go cheaply, and leave nothing behind', () => {
    const { graph, authz } = setup();
    const started = process.hrtime.bigint();
    const count = 30_000;
    for (let i = 0; i < count; i++) {
      graph.putPod(
        pod(`p${i}`, `n${i % 100}`, {
          volumes: [
            { name: 'token', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }] } },
            { name: 'own', secret: { secretName: `s${i}` } },
          ],
        }),
      );
    }
    // A status update changes nothing the graph holds.
    for (let i = 0; i < count; i++)
      graph.putPod(
        pod(`p${i}`, `n${i % 100}`, {
          volumes: [
            { name: 'token', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }] } },
            { name: 'own', secret: { secretName: `s${i}` } },
          ],
        }),
      );
    assert.equal(graph.podCount, count);
    assert.equal(authz.authorize(get('secrets', 's101')).allowed, true);
    assert.equal(authz.authorize(get('secrets', 's102')).allowed, false);
    for (let i = 0; i < count; i++) graph.removePod(`p${i}`, 'default');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.equal(graph.podCount, 0);
    assert.equal((graph as unknown as { targets: Map<string, unknown> }).targets.size, 0);
  });

  test('fails closed once the graph can no longer be followed', () => {
    const { graph, authz } = setup();
    graph.putPod(pod('a', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
    graph.stale = true;
    const d = authz.authorize(get('secrets', 's'));
    assert.equal(d.allowed, false);
    assert.match(d.reason, /could not be followed/);
    assert.equal(d.graphMiss, undefined);
  });
});

describe('Node authorizer rules', () => {
  const { authz } = setup();
  const allowed = (a: Attributes): boolean => authz.authorize(a).allowed;

  test("a kubelet's rules: its Node, pods, events, reviews; nothing else", () => {
    assert.ok(allowed(attrs(n1, 'patch', 'nodes/status', { namespace: '', name: 'n1' })));
    assert.ok(allowed(attrs(n1, 'create', 'nodes', { namespace: '' })));
    assert.ok(allowed(attrs(n1, 'list', 'pods')));
    assert.ok(allowed(attrs(n1, 'patch', 'pods/status', { name: 'x' })));
    assert.ok(allowed(attrs(n1, 'create', 'events')));
    assert.ok(allowed(attrs(n1, 'watch', 'services', { namespace: '' })));
    assert.ok(
      allowed(attrs(n1, 'create', 'tokenreviews', { apiGroup: 'authentication.k8s.io', namespace: '' })),
    );
    assert.ok(!allowed(attrs(n1, 'update', 'pods/ephemeralcontainers', { name: 'x' })));
    assert.ok(!allowed(attrs(n1, 'create', 'deployments', { apiGroup: 'apps' })));
    assert.ok(!allowed(attrs(n1, 'delete', 'nodes', { namespace: '', name: 'n1' })));
    assert.ok(!allowed(attrs(n1, 'create', 'pods/binding', { name: 'x' })));
  });

  test("what the agent's proxy, DNS, policy agent and volume cleaner follow", () => {
    assert.ok(allowed(attrs(n1, 'watch', 'endpointslices', { apiGroup: 'discovery.k8s.io', namespace: '' })));
    assert.ok(allowed(attrs(n1, 'list', 'namespaces', { namespace: '' })));
    assert.ok(allowed(attrs(n1, 'list', 'endpoints', { namespace: '' })));
    assert.ok(
      allowed(attrs(n1, 'watch', 'networkpolicies', { apiGroup: 'networking.k8s.io', namespace: '' })),
    );
    assert.ok(allowed(attrs(n1, 'list', 'persistentvolumes', { namespace: '' })));
    assert.ok(allowed(attrs(n1, 'delete', 'persistentvolumes', { namespace: '', name: 'pv' })));
    assert.ok(!allowed(attrs(n1, 'update', 'persistentvolumes', { namespace: '', name: 'pv' })));
    assert.ok(!allowed(attrs(n1, 'get', 'namespaces', { namespace: 'x', name: 'x' })));
    assert.ok(!allowed(attrs(n1, 'create', 'networkpolicies', { apiGroup: 'networking.k8s.io' })));
  });

  test('its own lease in kube-node-lease only', () => {
    const lease = (verb: string, namespace: string, name: string) =>
      authz.authorize(attrs(n1, verb, 'leases', { apiGroup: 'coordination.k8s.io', namespace, name }));
    assert.ok(lease('patch', 'kube-node-lease', 'n1').allowed);
    assert.ok(lease('create', 'kube-node-lease', '').allowed);
    assert.equal(
      lease('get', 'kube-node-lease', 'n2').reason,
      'can only access node lease with the same name as the requesting node',
    );
    assert.equal(
      lease('get', 'default', 'n1').reason,
      'can only access leases in the "kube-node-lease" system namespace',
    );
    assert.equal(
      lease('list', 'kube-node-lease', '').reason,
      'can only get, create, update, patch, or delete a node lease',
    );
  });
});

describe('the authorizer chain with the Node authorizer', () => {
  test('RBAC is asked when the Node authorizer has no opinion; reasons are joined as upstream', () => {
    const rbac = new RbacIndex();
    const graph = new NodeGraph();
    const authorizer = new Authorizer(rbac, new NodeAuthorizer(graph));
    const denied = authorizer.authorize(get('secrets', 's'));
    assert.deepEqual(denied, {
      allowed: false,
      reason: "no relationship found between node 'n1' and this object",
      graphMiss: true,
    });
    rbac.putClusterRole({
      metadata: { name: 'secret-reader', resourceVersion: '1' },
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }],
    } as unknown as StoredObject);
    rbac.putClusterRoleBinding({
      metadata: { name: 'n1-secrets', resourceVersion: '1' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'secret-reader' },
      subjects: [{ kind: 'User', name: 'system:node:n1' }],
    } as unknown as StoredObject);
    assert.equal(authorizer.authorize(get('secrets', 's')).allowed, true, 'an admin may grant a node more');
    rbac.putClusterRoleBinding({
      metadata: { name: 'broken', resourceVersion: '1' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'missing' },
      subjects: [{ kind: 'Group', name: 'system:nodes' }],
    } as unknown as StoredObject);
    assert.equal(
      authorizer.authorize(get('configmaps', 'c')).reason,
      'no relationship found between node \'n1\' and this object\nRBAC: clusterrole.rbac.authorization.k8s.io "missing" not found',
    );
  });

  test('a graph miss is decided again once the watch cache caught up', async () => {
    let caughtUp: () => void = () => {};
    const authz = new Authorization(() => {
      caughtUp();
      return Promise.resolve();
    });
    const request = get('secrets', 's');
    caughtUp = () =>
      authz.nodeGraph.putPod(pod('a', 'n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }));
    const pending = authz.require(request);
    assert.ok(pending instanceof Promise);
    await pending;
    caughtUp = () => {};
    await assert.rejects(
      async () => authz.require(get('secrets', 'other')),
      (err: unknown) =>
        isApiError(err) &&
        err.status.code === 403 &&
        err.status.message ===
          'secrets "other" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node \'n1\' and this object',
    );
    // Other denials answer at once.
    assert.throws(() => authz.require(attrs(n1, 'create', 'deployments', { apiGroup: 'apps' })), /forbidden/);
  });
});
