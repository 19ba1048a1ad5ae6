import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ingress, IngressRule } from 'kubernetes-types/networking/v1.js';
import { pathMatches, normalizeRulePath, requestPathOf } from './paths.js';
import { buildRouteTable, normalizeHost } from './route-table.js';

function ingress(
  name: string,
  rules: IngressRule[],
  extra: Partial<Ingress['spec']> = {},
  created = '2026-01-01T00:00:00Z',
): Ingress {
  return {
    metadata: { name, namespace: 'default', creationTimestamp: created },
    spec: { rules, ...extra },
  };
}

const svc = (name: string, port: number | string) => ({
  service: { name, port: typeof port === 'number' ? { number: port } : { name: port } },
});

function rule(
  host: string | undefined,
  paths: [string, 'Exact' | 'Prefix' | 'ImplementationSpecific', string][],
): IngressRule {
  return {
    ...(host ? { host } : {}),
    http: { paths: paths.map(([path, pathType, to]) => ({ path, pathType, backend: svc(to, 80) })) },
  };
}

const to = (t: ReturnType<ReturnType<typeof buildRouteTable>['route']>) => t?.service?.name;

test('Prefix matches whole path elements and ignores a trailing slash, as the Ingress specification says', () => {
  const cases: [string, string, boolean][] = [
    ['/', '/anything', true],
    ['/foo', '/foo', true],
    ['/foo', '/foo/', true],
    ['/foo', '/foo/bar', true],
    ['/foo', '/foobar', false],
    ['/foo/', '/foo', true],
    ['/aaa/bb', '/aaa/bbb', false],
    ['/aaa/bbb', '/aaa/bbb/ccc', true],
    ['/aaa/bbb/', '/aaa/bbb', true],
  ];
  for (const [rulePath, request, want] of cases) {
    assert.equal(
      pathMatches(normalizeRulePath(rulePath, 'Prefix'), 'Prefix', request),
      want,
      `${rulePath} ~ ${request}`,
    );
  }
  assert.equal(pathMatches('/foo', 'Exact', '/foo'), true);
  assert.equal(pathMatches('/foo', 'Exact', '/foo/'), false);
  assert.equal(pathMatches('/foo', 'Exact', '/FOO'), false);
  assert.equal(requestPathOf('/a/b?x=1'), '/a/b');
  assert.equal(requestPathOf(''), '/');
});

test('hosts are compared without case, port or trailing dot', () => {
  assert.equal(normalizeHost('Foo.Example.COM:8080'), 'foo.example.com');
  assert.equal(normalizeHost('foo.example.com.'), 'foo.example.com');
  assert.equal(normalizeHost('[::1]:80'), '::1');
  assert.equal(normalizeHost('10.0.0.1'), '10.0.0.1');
});

test('the longest path wins, Exact before Prefix at equal length, across Ingresses', () => {
  const table = buildRouteTable([
    ingress('a', [
      rule('shop.example.com', [
        ['/', 'Prefix', 'root'],
        ['/api', 'Prefix', 'api'],
      ]),
    ]),
    ingress('b', [
      rule('shop.example.com', [
        ['/api/v2', 'ImplementationSpecific', 'v2'],
        ['/api', 'Exact', 'api-exact'],
      ]),
    ]),
  ]);
  assert.equal(to(table.route('shop.example.com', '/')), 'root');
  assert.equal(to(table.route('shop.example.com', '/api')), 'api-exact');
  assert.equal(to(table.route('shop.example.com', '/api/')), 'api');
  assert.equal(to(table.route('shop.example.com', '/api/v2/items')), 'v2');
  assert.equal(to(table.route('shop.example.com', '/apis')), 'root');
  assert.equal(to(table.route('SHOP.example.com:80', '/api/v1')), 'api');
});

test('exact host, then its wildcard (one label), then host-less rules, then the default backend', () => {
  const table = buildRouteTable([
    ingress('exact', [rule('a.example.com', [['/only', 'Prefix', 'exact']])]),
    ingress('wild', [rule('*.example.com', [['/', 'Prefix', 'wild']])]),
    ingress('any', [rule(undefined, [['/any', 'Prefix', 'any']])], { defaultBackend: svc('fallback', 80) }),
  ]);
  assert.equal(to(table.route('a.example.com', '/only/x')), 'exact');
  assert.equal(to(table.route('a.example.com', '/other')), 'wild', 'falls through to the wildcard');
  assert.equal(to(table.route('b.example.com', '/')), 'wild');
  assert.equal(to(table.route('b.c.example.com', '/any')), 'any', 'a wildcard covers one label only');
  assert.equal(to(table.route('example.com', '/x')), 'fallback', 'nor the bare domain');
  assert.equal(to(table.route(undefined, '/any/thing')), 'any');
  assert.deepEqual([...table.services].sort(), [
    'default/any',
    'default/exact',
    'default/fallback',
    'default/wild',
  ]);
});

test('without a default backend, an unmatched request has no target', () => {
  const table = buildRouteTable([ingress('a', [rule('a.example.com', [['/', 'Prefix', 'web']])])]);
  assert.equal(table.route('b.example.com', '/'), undefined);
});

test('the oldest Ingress keeps a contested path, default backend and TLS host', () => {
  const older = ingress(
    'z-old',
    [rule('x.example.com', [['/', 'Prefix', 'old']])],
    {
      defaultBackend: svc('old-default', 80),
      tls: [{ hosts: ['x.example.com'], secretName: 'old-cert' }],
    },
    '2026-01-01T00:00:00Z',
  );
  const newer = ingress(
    'a-new',
    [rule('x.example.com', [['/', 'Prefix', 'new']])],
    {
      defaultBackend: svc('new-default', 80),
      tls: [
        { hosts: ['x.example.com', '*.example.com'], secretName: 'new-cert' },
        { secretName: 'any-cert' },
      ],
    },
    '2026-02-01T00:00:00Z',
  );
  const table = buildRouteTable([newer, older]);
  assert.equal(to(table.route('x.example.com', '/')), 'old');
  assert.equal(to(table.route('nowhere', '/')), 'old-default');
  assert.equal(table.tlsFor('x.example.com')?.secretName, 'old-cert');
  assert.equal(table.tlsFor('Y.example.com')?.secretName, 'new-cert');
  assert.equal(
    table.tlsFor('other.org')?.secretName,
    'any-cert',
    'a TLS entry without hosts covers the rest',
  );
  assert.deepEqual([...table.tlsSecrets()].sort(), [
    'default/any-cert',
    'default/new-cert',
    'default/old-cert',
  ]);
});

test('a resource backend is routed but names no service', () => {
  const table = buildRouteTable([
    ingress('r', [
      {
        http: {
          paths: [
            {
              path: '/static',
              pathType: 'Prefix',
              backend: { resource: { apiGroup: 'k8s.example.com', kind: 'Bucket', name: 'b' } },
            },
          ],
        },
      },
    ]),
  ]);
  const t = table.route('h', '/static/x');
  assert.equal(t?.ingress, 'default/r');
  assert.equal(t?.service, undefined);
});
