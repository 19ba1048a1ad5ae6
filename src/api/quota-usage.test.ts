import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computeUsage, missingComputeResources, podMatchesScopes, quotaScopes } from './quota-usage.js';

const pod = (requests: Record<string, string>, extra: Partial<Pod['spec']> = {}, phase?: string): Pod => ({
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: 'i', resources: { requests, limits: requests } }], ...extra },
  ...(phase ? { status: { phase } } : {}),
});

void test('usage only for the hard names; scopes filter pods; terminal pods are free', () => {
  const used = computeUsage(
    ['pods', 'requests.cpu', 'unknown.example.com/thing'],
    quotaScopes({ scopes: ['NotTerminating'] }),
    {
      pods: [
        pod({ cpu: '1' }),
        pod({ cpu: '2' }, { activeDeadlineSeconds: 10 }),
        pod({ cpu: '4' }, {}, 'Failed'),
      ],
      services: [],
      persistentVolumeClaims: [],
      counts: new Map([['count/secrets', 3]]),
    },
  );
  assert.deepEqual(used, { pods: '1', 'requests.cpu': '1' });
});

void test('claims: count, storage, per storage class', () => {
  const used = computeUsage(
    ['persistentvolumeclaims', 'requests.storage', 'gold.storageclass.storage.k8s.io/requests.storage'],
    [],
    {
      pods: [],
      services: [],
      persistentVolumeClaims: [
        { spec: { storageClassName: 'gold', resources: { requests: { storage: '1Gi' } } } },
        { spec: { resources: { requests: { storage: '512Mi' } } } },
      ],
      counts: new Map(),
    },
  );
  assert.deepEqual(used, {
    persistentvolumeclaims: '2',
    'requests.storage': '1536Mi',
    'gold.storageclass.storage.k8s.io/requests.storage': '1Gi',
  });
});

void test('quotas on cpu or memory need every container to state them', () => {
  const p: Pod = {
    spec: {
      containers: [
        { name: 'b', resources: { requests: { cpu: '1' } } },
        { name: 'a', resources: { limits: { memory: '1Gi' } } },
      ],
    },
  };
  assert.equal(missingComputeResources(p, ['pods']), undefined);
  assert.equal(
    missingComputeResources(p, ['cpu', 'limits.memory', 'pods']),
    'must specify cpu for: a; limits.memory for: b',
  );
});

void test('scopes and scope selectors: priority classes, QoS, deadlines, cross-namespace affinity', () => {
  const withClass = (priorityClassName?: string): Pod =>
    pod({ cpu: '1' }, priorityClassName ? { priorityClassName } : {});
  const selector = (operator: string, values?: string[]) =>
    quotaScopes({
      scopeSelector: {
        matchExpressions: [{ scopeName: 'PriorityClass', operator, ...(values ? { values } : {}) }],
      },
    });
  const matches = (p: Pod, scopes: ReturnType<typeof quotaScopes>): boolean => podMatchesScopes(p, scopes);
  assert.equal(matches(withClass('high'), selector('In', ['high', 'mid'])), true);
  assert.equal(matches(withClass('low'), selector('In', ['high'])), false);
  assert.equal(matches(withClass(), selector('In', ['high'])), false);
  assert.equal(
    matches(withClass(), selector('NotIn', ['high'])),
    true,
    'a pod without a class is not in any',
  );
  assert.equal(matches(withClass('high'), selector('NotIn', ['high'])), false);
  assert.equal(matches(withClass('low'), selector('Exists')), true);
  assert.equal(matches(withClass(), selector('Exists')), false);
  assert.equal(matches(withClass(), selector('DoesNotExist')), true);

  // BestEffort is the QoS class: only cpu and memory above zero count.
  const bestEffort = quotaScopes({ scopes: ['BestEffort'] });
  assert.equal(matches(pod({ 'ephemeral-storage': '1Gi' }), bestEffort), true);
  assert.equal(matches(pod({ memory: '1Mi' }), bestEffort), false);
  // Terminating: a deadline of zero or more; the scopes and the selector must all hold.
  const both = quotaScopes({
    scopes: ['Terminating'],
    scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['batch'] }] },
  });
  assert.equal(matches(pod({}, { activeDeadlineSeconds: 0, priorityClassName: 'batch' }), both), true);
  assert.equal(matches(pod({}, { activeDeadlineSeconds: 0 }), both), false);
  assert.equal(matches(pod({}, { priorityClassName: 'batch' }), both), false);

  const crossNamespace = quotaScopes({ scopes: ['CrossNamespacePodAffinity'] });
  const term = (extra: object) => ({ topologyKey: 'kubernetes.io/hostname', labelSelector: {}, ...extra });
  assert.equal(matches(pod({}), crossNamespace), false);
  assert.equal(
    matches(
      pod({}, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({})] } } }),
      crossNamespace,
    ),
    false,
  );
  assert.equal(
    matches(
      pod(
        {},
        {
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 1, podAffinityTerm: term({ namespaceSelector: {} }) },
              ],
            },
          },
        },
      ),
      crossNamespace,
    ),
    true,
  );
  assert.equal(
    matches(
      pod(
        {},
        {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [term({ namespaces: ['other'] })],
            },
          },
        },
      ),
      crossNamespace,
    ),
    true,
  );
});

void test('a scoped quota counts pods only', () => {
  const used = computeUsage(
    ['pods', 'services', 'requests.storage', 'count/configmaps'],
    quotaScopes({ scopes: ['NotBestEffort'] }),
    {
      pods: [pod({ cpu: '1' }), pod({})],
      services: [{ spec: { type: 'ClusterIP' } }],
      persistentVolumeClaims: [{ spec: { resources: { requests: { storage: '1Gi' } } } }],
      counts: new Map([
        ['count/configmaps', 2],
        ['count/services', 1],
      ]),
    },
  );
  assert.deepEqual(used, { pods: '1', services: '0', 'requests.storage': '0', 'count/configmaps': '0' });
});

void test('claims count what was allocated where it is more; load balancers without node ports take none', () => {
  const used = computeUsage(
    [
      'requests.storage',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims',
      'services.nodeports',
      'services.loadbalancers',
    ],
    [],
    {
      pods: [],
      services: [
        { spec: { type: 'NodePort', ports: [{ port: 80 }, { port: 443 }] } },
        {
          spec: {
            type: 'LoadBalancer',
            allocateLoadBalancerNodePorts: false,
            ports: [{ port: 80 }, { port: 81, nodePort: 30081 }],
          },
        },
        { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
      ],
      persistentVolumeClaims: [
        {
          spec: { resources: { requests: { storage: '1Gi' } } },
          status: { allocatedResources: { storage: '2Gi' } },
        },
        {
          metadata: { annotations: { 'volume.beta.kubernetes.io/storage-class': 'fast' } },
          spec: { resources: { requests: { storage: '1500m' } } },
        },
      ],
      counts: new Map(),
    },
  );
  assert.deepEqual(used, {
    'requests.storage': '2147483650',
    'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
    'services.nodeports': '4',
    'services.loadbalancers': '2',
  });
});
