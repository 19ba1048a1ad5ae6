import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidReferenceError,
  isLoopbackRegistry,
  normalizeReference,
  parseReference,
  registryEndpointHost,
} from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

void test('normalizes references as Docker does', () => {
  const cases: [string, string][] = [
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/library/nginx', 'docker.io/library/nginx:latest'],
    ['registry-1.docker.io/x/y:z', 'docker.io/x/y:z'],
    ['quay.io/coreos/etcd:v3.5', 'quay.io/coreos/etcd:v3.5'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['127.0.0.1:5000/tugboat-test/busybox:1', '127.0.0.1:5000/tugboat-test/busybox:1'],
    [`host:5000/x@${D}`, `host:5000/x@${D}`],
    [`nginx@${D}`, `docker.io/library/nginx@${D}`],
    [`nginx:1.25@${D}`, `docker.io/library/nginx:1.25@${D}`],
    ['[::1]:5000/a/b', '[::1]:5000/a/b:latest'],
    ['my-registry.local/a_b/c-d/e.f:tag_1.2-x', 'my-registry.local/a_b/c-d/e.f:tag_1.2-x'],
  ];
  for (const [input, want] of cases) assert.equal(normalizeReference(input), want, input);
});

void test('splits registry, repository, tag and digest', () => {
  assert.deepEqual(parseReference(`host:5000/x/y:t@${D}`), {
    registry: 'host:5000',
    repository: 'x/y',
    tag: 't',
    digest: D,
  });
  assert.deepEqual(parseReference('foo/bar'), {
    registry: 'docker.io',
    repository: 'foo/bar',
    tag: 'latest',
  });
});

void test('rejects malformed references', () => {
  for (const bad of [
    '',
    ' nginx',
    'Nginx',
    'nginx:',
    'nginx@sha256:abc',
    'nginx@md5:' + 'a'.repeat(32),
    'a//b',
    'host:5000/',
    '-x',
    'x:tag with space',
    'x:' + 't'.repeat(129),
  ]) {
    assert.throws(() => parseReference(bad), InvalidReferenceError, JSON.stringify(bad));
  }
});

void test('docker.io is served by registry-1.docker.io; loopback registries are recognized', () => {
  assert.equal(registryEndpointHost('docker.io'), 'registry-1.docker.io');
  assert.equal(registryEndpointHost('quay.io'), 'quay.io');
  for (const r of ['127.0.0.1:5000', '127.3.4.5', 'localhost:80', 'localhost', '[::1]:5000'])
    assert.ok(isLoopbackRegistry(r), r);
  for (const r of ['10.0.0.1:5000', 'docker.io', 'localhost.example.com', '128.0.0.1'])
    assert.ok(!isLoopbackRegistry(r), r);
});
