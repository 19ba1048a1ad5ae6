import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestTarget } from './request-target.js';

const viaUrl = (raw: string) => new URL(`http://localhost${raw.startsWith('/') ? raw : '/'}`);

void test('reads a request target as a URL parser does', () => {
  for (const raw of [
    '/',
    '/api/v1/namespaces/default/configmaps/probe',
    '/apis/metrics.k8s.io/v1beta1/nodes',
    '/api/v1/pods?watch=true&resourceVersion=12&fieldSelector=spec.nodeName%3Dnode-1',
    '/api/v1/pods?labelSelector=app+in+(a,b)&limit=500',
    '/api/v1/namespaces/default/pods/web-0/exec?command=sh&command=-c&command=echo%20hi',
    '//api/v1/pods',
    '/api/v1/namespaces/default/../kube-system/secrets',
    '/api/v1/namespaces/./default',
    '/api/v1/namespaces/%2e%2e/secrets',
    '/api/v1/namespaces/a%2Fb/pods',
    '/api/v1/pods?x=a b',
    "/api/v1/pods?x='quoted'",
    '/api/v1/pods#fragment',
    '/api/v1/pods?a=1#fragment',
    '/api\\v1\\pods',
    '/api/v1/pods/ünïcode',
    '/api/v1/pods?x=ünïcode',
    '*',
    'http://example.com/api',
  ]) {
    const got = requestTarget(raw);
    const want = viaUrl(raw);
    assert.equal(got.pathname, want.pathname, raw);
    assert.deepEqual([...got.searchParams], [...want.searchParams], raw);
  }
  assert.equal(requestTarget(undefined).pathname, '/');
});
