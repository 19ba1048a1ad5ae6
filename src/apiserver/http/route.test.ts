import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute, routeOf } from './route.js';

const resource = (fields: Record<string, unknown>) => ({ type: 'resource', watchPrefix: false, ...fields });

void test('resource paths: namespaced, cluster-scoped, subresources and the legacy watch prefix', () => {
  const cases: [string, unknown][] = [
    ['/api/v1/pods', resource({ group: '', version: 'v1', resource: 'pods' })],
    [
      '/api/v1/namespaces/default/pods/web-1/log',
      resource({
        group: '',
        version: 'v1',
        namespace: 'default',
        resource: 'pods',
        name: 'web-1',
        subresource: 'log',
      }),
    ],
    [
      '/apis/apps/v1/namespaces/ns1/deployments/',
      resource({ group: 'apps', version: 'v1', namespace: 'ns1', resource: 'deployments' }),
    ],
    ['/api/v1/namespaces', resource({ group: '', version: 'v1', resource: 'namespaces' })],
    ['/api/v1/namespaces/ns1', resource({ group: '', version: 'v1', resource: 'namespaces', name: 'ns1' })],
    [
      '/api/v1/namespaces/ns1/finalize',
      resource({ group: '', version: 'v1', resource: 'namespaces', name: 'ns1', subresource: 'finalize' }),
    ],
    [
      '/api/v1/namespaces/ns1/status',
      resource({ group: '', version: 'v1', resource: 'namespaces', name: 'ns1', subresource: 'status' }),
    ],
    [
      '/api/v1/namespaces/ns1/configmaps',
      resource({ group: '', version: 'v1', namespace: 'ns1', resource: 'configmaps' }),
    ],
    [
      '/api/v1/watch/namespaces/ns1/configmaps/a',
      resource({
        group: '',
        version: 'v1',
        namespace: 'ns1',
        resource: 'configmaps',
        name: 'a',
        watchPrefix: true,
      }),
    ],
    [
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/a%3Ab',
      resource({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: 'a:b' }),
    ],
    // The proxy subresource keeps the rest of the path, raw, for its target.
    [
      '/api/v1/nodes/n1/proxy/metrics/resource',
      resource({
        group: '',
        version: 'v1',
        resource: 'nodes',
        name: 'n1',
        subresource: 'proxy',
        proxyPath: '/metrics/resource',
      }),
    ],
    [
      '/api/v1/namespaces/ns1/services/https:web:8443/proxy/a%2Fb/',
      resource({
        group: '',
        version: 'v1',
        namespace: 'ns1',
        resource: 'services',
        name: 'https:web:8443',
        subresource: 'proxy',
        proxyPath: '/a%2Fb/',
      }),
    ],
    [
      '/api/v1/namespaces/ns1/pods/p/proxy',
      resource({
        group: '',
        version: 'v1',
        namespace: 'ns1',
        resource: 'pods',
        name: 'p',
        subresource: 'proxy',
        proxyPath: '/',
      }),
    ],
    ['/api/v1/pods/p/proxy/x', { type: 'not-found' }],
    ['/api/v1/namespaces/ns1/nodes/n1/proxy/x', { type: 'not-found' }],
    ['/api/v1/namespaces/ns1/configmaps/c/proxy/x', { type: 'not-found' }],
    ['/api/v1/namespaces/ns1/pods/p/exec/more', { type: 'not-found' }],
    ['/api/v1/watch', { type: 'not-found' }],
    ['/api/v1/pods/%zz', { type: 'not-found' }],
  ];
  for (const [path, want] of cases) assert.deepEqual(parseRoute(path), want, path);
});

void test('discovery and the other fixed paths', () => {
  assert.deepEqual(parseRoute('/api'), { type: 'legacy-versions' });
  assert.deepEqual(parseRoute('/api/v1'), { type: 'resource-list', group: '', version: 'v1' });
  assert.deepEqual(parseRoute('/apis'), { type: 'groups' });
  assert.deepEqual(parseRoute('/apis/apps'), { type: 'group', group: 'apps' });
  assert.deepEqual(parseRoute('/apis/apps/v1'), { type: 'resource-list', group: 'apps', version: 'v1' });
  assert.deepEqual(parseRoute('/readyz/ping'), { type: 'health', check: 'readyz', subpath: true });
  assert.deepEqual(parseRoute('/version'), { type: 'version' });
  assert.deepEqual(parseRoute('/'), { type: 'root' });
  assert.deepEqual(parseRoute('/nope'), { type: 'not-found' });
});

void test('routeOf answers as parseRoute and shares the result between requests for one path', () => {
  for (const path of [
    '/api/v1/namespaces/default/pods/web-0',
    '/apis/apps/v1/deployments',
    '/healthz',
    '/x',
  ]) {
    assert.deepEqual(routeOf(path), parseRoute(path));
    assert.equal(routeOf(path), routeOf(path));
  }
  // Past its limit the cache starts over rather than growing: every path still parses.
  for (let i = 0; i < 5000; i++) {
    assert.deepEqual(
      routeOf(`/api/v1/namespaces/ns-${i}/pods`),
      parseRoute(`/api/v1/namespaces/ns-${i}/pods`),
    );
  }
});
