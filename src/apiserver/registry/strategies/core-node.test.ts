import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { nodeStrategy as s } from './core-node.js';
import { endpointsStrategy } from './core-endpoints.js';
import { eventStrategy } from './core-event.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

void describe('Node', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['valid', { podCIDR: '10.244.0.0/24', taints: [{ key: 'a', effect: 'NoSchedule' }] }, []],
    [
      'bad podCIDR',
      { podCIDR: '10.244.0.0' },
      [
        'spec.podCIDRs[0]: Invalid value: "10.244.0.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    ],
    [
      'one CIDR per family',
      { podCIDRs: ['10.0.0.0/24', '10.0.1.0/24'] },
      [
        'spec.podCIDRs: Invalid value: []string{"10.0.0.0/24", "10.0.1.0/24"}: may specify no more than one CIDR for each IP family',
      ],
    ],
    ['taint effect required', { taints: [{ key: 'a' }] }, ['spec.taints[0].effect: Required value']],
    [
      'taint effect values',
      { taints: [{ key: 'a', effect: 'Never' }] },
      [
        'spec.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      ],
    ],
    [
      'duplicate taint',
      {
        taints: [
          { key: 'a', value: '1', effect: 'NoSchedule' },
          { key: 'a', value: '2', effect: 'NoSchedule' },
        ],
      },
      [
        'spec.taints[1]: Duplicate value: {"key":"a","value":"2","effect":"NoSchedule"}: taints must be unique by key and effect pair',
      ],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => {
      const obj: KubeObject = { spec: structuredClone(spec) };
      s.defaults?.(obj);
      assert.deepEqual(lines(s.validate?.(obj)), want);
    });
  }

  void test('status kept on create, carried on update; podCIDR fixed once set', () => {
    const obj: KubeObject = { spec: {}, status: { capacity: { cpu: '2' } } };
    s.defaults?.(obj);
    s.prepareForCreate?.(obj);
    assert.deepEqual(obj.status, { capacity: { cpu: '2' }, allocatable: { cpu: '2' } });
    const next: KubeObject = { spec: { podCIDR: '10.0.1.0/24', podCIDRs: ['10.0.1.0/24'] }, status: {} };
    const old: KubeObject = {
      spec: { podCIDR: '10.0.0.0/24', podCIDRs: ['10.0.0.0/24'] },
      status: { phase: 'x' },
    };
    s.prepareForUpdate?.(next, old);
    assert.deepEqual(next.status, { phase: 'x' });
    assert.deepEqual(lines(s.validateUpdate?.(next, old)), [
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    ]);
  });
});

void describe('Endpoints', () => {
  const cases: [string, unknown[], string[]][] = [
    ['valid', [{ addresses: [{ ip: '10.1.2.3' }], ports: [{ port: 80 }] }], []],
    [
      'addresses required',
      [{ ports: [{ port: 80 }] }],
      ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`'],
    ],
    [
      'bad and special IPs',
      [{ addresses: [{ ip: 'x' }, { ip: '127.0.0.1' }] }],
      [
        'subsets[0].addresses[0].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        'subsets[0].addresses[0].ip: Invalid value: "x": must be a valid IP address',
        'subsets[0].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      ],
    ],
    [
      'port names required when several',
      [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'a', port: 1 }, { port: 2 }] }],
      ['subsets[0].ports[1].name: Required value'],
    ],
  ];
  for (const [name, subsets, want] of cases) {
    void test(name, () => {
      const obj: KubeObject = { subsets: structuredClone(subsets) };
      endpointsStrategy.defaults?.(obj);
      assert.deepEqual(lines(endpointsStrategy.validate?.(obj)), want);
    });
  }
});

void describe('Event', () => {
  const meta = { name: 'e1', namespace: 'ns' };
  void test('legacy events: involvedObject namespace must match', () => {
    const ok: KubeObject = { metadata: meta, involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns' } };
    assert.deepEqual(lines(eventStrategy.validate?.(ok)), []);
    const bad: KubeObject = {
      metadata: meta,
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' },
    };
    assert.deepEqual(lines(eventStrategy.validate?.(bad)), [
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
  });

  void test('new-style events need reporting fields', () => {
    const obj: KubeObject = {
      metadata: meta,
      eventTime: '2024-01-01T00:00:00.000000Z',
      involvedObject: { namespace: 'ns' },
      reason: 'x'.repeat(129),
    };
    assert.deepEqual(lines(eventStrategy.validate?.(obj)), [
      'reportingComponent: Required value',
      'reportingComponent: Invalid value: "": name part must be non-empty',
      "reportingComponent: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Invalid value: "": can have at most 128 characters',
    ]);
  });
});
