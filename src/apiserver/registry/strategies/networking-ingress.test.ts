import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { ingressStrategy } from './networking-ingress.js';
import { ingressClassStrategy } from './networking-ingressclass.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

const backend = { service: { name: 'web', port: { number: 80 } } };
const rule = (host: string, paths: unknown[]): Record<string, unknown> => ({ host, http: { paths } });

void describe('Ingress', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['valid', { rules: [rule('*.example.com', [{ path: '/', pathType: 'Prefix', backend }])] }, []],
    ['default backend only', { defaultBackend: backend }, []],
    [
      'needs rules or default backend',
      {},
      [
        'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
      ],
    ],
    [
      'pathType required',
      { rules: [rule('a.com', [{ path: '/', backend }])] },
      ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'],
    ],
    [
      'pathType values',
      { rules: [rule('a.com', [{ path: '/', pathType: 'Regex', backend }])] },
      [
        'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
      ],
    ],
    [
      'prefix paths are absolute',
      { rules: [rule('a.com', [{ path: 'api', pathType: 'Prefix', backend }])] },
      ['spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'],
    ],
    [
      'IP hosts',
      { rules: [rule('1.2.3.4', [{ path: '/', pathType: 'Exact', backend }])] },
      ['spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address'],
    ],
    [
      'bad wildcard',
      { rules: [rule('a.*.com', [{ path: '/', pathType: 'Exact', backend }])] },
      [
        "spec.rules[0].host: Invalid value: \"a.*.com\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
    [
      'port name and number exclusive',
      { defaultBackend: { service: { name: 'web', port: { number: 80, name: 'http' } } } },
      ['spec.defaultBackend: Invalid value: "": cannot set both port name & port number'],
    ],
    [
      'port required',
      { defaultBackend: { service: { name: 'web', port: {} } } },
      ['spec.defaultBackend: Required value: port name or number is required'],
    ],
    [
      'service name required',
      { defaultBackend: { service: { port: { number: 80 } } } },
      ['spec.defaultBackend.service.name: Required value'],
    ],
    [
      'backend required',
      { defaultBackend: {} },
      ['spec.defaultBackend: Invalid value: "": resource or service backend is required'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(lines(ingressStrategy.validate?.({ spec })), want));
  }

  void test('status cleared on create, kept on update', () => {
    const obj: KubeObject = { spec: {}, status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } };
    ingressStrategy.prepareForCreate?.(obj);
    assert.deepEqual(obj.status, { loadBalancer: {} });
    ingressStrategy.prepareForUpdate?.(obj, { status: { loadBalancer: { ingress: [{ ip: '2.2.2.2' }] } } });
    assert.deepEqual(obj.status, { loadBalancer: { ingress: [{ ip: '2.2.2.2' }] } });
  });
});

void describe('IngressClass', () => {
  void test('controller required and domain-prefixed', () => {
    assert.deepEqual(lines(ingressClassStrategy.validate?.({ spec: {} })), [
      'spec.controller: Required value',
    ]);
    assert.deepEqual(lines(ingressClassStrategy.validate?.({ spec: { controller: 'nginx' } })), [
      'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    ]);
    assert.deepEqual(
      lines(ingressClassStrategy.validate?.({ spec: { controller: 'k8s.io/ingress-nginx' } })),
      [],
    );
  });

  void test('controller immutable', () => {
    assert.deepEqual(
      lines(
        ingressClassStrategy.validateUpdate?.(
          { spec: { controller: 'a.io/x' } },
          { spec: { controller: 'b.io/x' } },
        ),
      ),
      ['spec.controller: Invalid value: "a.io/x": field is immutable'],
    );
  });

  void test('parameters scope default and namespace rules', () => {
    const obj: KubeObject = { spec: { controller: 'a.io/x', parameters: { kind: 'Cfg', name: 'c' } } };
    ingressClassStrategy.defaults?.(obj);
    assert.deepEqual(lines(ingressClassStrategy.validate?.(obj)), []);
    const ns: KubeObject = {
      spec: { controller: 'a.io/x', parameters: { kind: 'Cfg', name: 'c', scope: 'Namespace' } },
    };
    assert.deepEqual(lines(ingressClassStrategy.validate?.(ns)), [
      "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'",
    ]);
  });
});
