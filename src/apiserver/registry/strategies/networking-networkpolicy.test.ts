import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { endpointSliceStrategy as eps } from './networking-endpointslice.js';
import { networkPolicyStrategy as np } from './networking-networkpolicy.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

void describe('NetworkPolicy', () => {
  void test('policyTypes and protocol defaults', () => {
    const ingressOnly: KubeObject = { spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } };
    np.defaults?.(ingressOnly);
    assert.deepEqual(ingressOnly.spec, {
      podSelector: {},
      ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }],
      policyTypes: ['Ingress'],
    });
    const withEgress: KubeObject = { spec: { podSelector: {}, egress: [{}] } };
    np.defaults?.(withEgress);
    assert.deepEqual((withEgress.spec as Record<string, unknown>).policyTypes, ['Ingress', 'Egress']);
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'valid',
      {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
      },
      [],
    ],
    [
      'except must be inside cidr',
      {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['192.168.0.0/24'] } }] }],
      },
      [
        'spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`',
      ],
    ],
    [
      'bad cidr',
      { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0' } }] }] },
      [
        'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    ],
    [
      'peer required',
      { podSelector: {}, ingress: [{ from: [{}] }] },
      ['spec.ingress[0].from[0]: Required value: must specify a peer'],
    ],
    [
      'ipBlock alone',
      { podSelector: {}, ingress: [{ from: [{ podSelector: {}, ipBlock: { cidr: '10.0.0.0/8' } }] }] },
      ['spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer'],
    ],
    [
      'protocol values',
      { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] },
      [
        'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
      ],
    ],
    [
      'endPort below port',
      { podSelector: {}, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] },
      ['spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`'],
    ],
    [
      'policy types',
      { podSelector: {}, policyTypes: ['Sideways'] },
      ['spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(lines(np.validate?.({ spec })), want));
  }

  void test('IPv6 except', () => {
    const spec = {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }] }],
    };
    assert.deepEqual(lines(np.validate?.({ spec })), []);
  });
});

void describe('EndpointSlice', () => {
  const slice = (extra: Record<string, unknown>): KubeObject => ({
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }],
    ports: [{ port: 80 }],
    ...extra,
  });

  void test('defaults port name and protocol', () => {
    const obj = slice({});
    eps.defaults?.(obj);
    assert.deepEqual(obj.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
    assert.deepEqual(lines(eps.validate?.(obj)), []);
  });

  const cases: [string, KubeObject, string[]][] = [
    ['addressType required', slice({ addressType: undefined }), ['addressType: Required value']],
    [
      'addressType values',
      slice({ addressType: 'IPv5' }),
      ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"'],
    ],
    [
      'addresses required',
      slice({ endpoints: [{ addresses: [] }] }),
      ['endpoints[0].addresses: Required value: must contain at least 1 address'],
    ],
    [
      'too many addresses',
      slice({ endpoints: [{ addresses: Array.from({ length: 101 }, (_, i) => `10.0.${i}.1`) }] }),
      ['endpoints[0].addresses: Too many: 101: must have at most 100 items'],
    ],
    [
      'address family',
      slice({ endpoints: [{ addresses: ['fd00::1'] }] }),
      ['endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address'],
    ],
  ];
  for (const [name, obj, want] of cases) {
    void test(name, () => {
      eps.defaults?.(obj);
      assert.deepEqual(lines(eps.validate?.(obj)), want);
    });
  }

  void test('addressType immutable', () => {
    assert.deepEqual(lines(eps.validateUpdate?.(slice({ addressType: 'IPv6' }), slice({}))), [
      'addressType: Invalid value: "IPv6": field is immutable',
    ]);
  });
});
