import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { serviceStrategy as s } from './core-service.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);

function svc(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec };
}

/** Defaults then validate, as the handler does on create. */
function create(spec: Record<string, unknown>): { obj: KubeObject; errs: string[] } {
  const obj = svc(structuredClone(spec));
  s.defaults?.(obj);
  s.prepareForCreate?.(obj);
  return { obj, errs: lines(s.validate?.(obj)) };
}

void describe('Service defaults', () => {
  void test('ClusterIP defaults', () => {
    const { obj, errs } = create({ selector: { app: 'web' }, ports: [{ port: 80 }] });
    assert.deepEqual(errs, []);
    assert.deepEqual(obj.spec, {
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    assert.deepEqual(obj.status, { loadBalancer: {} });
  });

  void test('LoadBalancer gets externalTrafficPolicy and allocateLoadBalancerNodePorts', () => {
    const { obj, errs } = create({ type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https' }] });
    assert.deepEqual(errs, []);
    const spec = obj.spec as Record<string, unknown>;
    assert.equal(spec.externalTrafficPolicy, 'Cluster');
    assert.equal(spec.allocateLoadBalancerNodePorts, true);
    assert.deepEqual(spec.ports, [{ port: 443, targetPort: 'https', protocol: 'TCP' }]);
  });

  void test('ExternalName gets no IP family fields', () => {
    const { obj, errs } = create({ type: 'ExternalName', externalName: 'db.example.com.' });
    assert.deepEqual(errs, []);
    const spec = obj.spec as Record<string, unknown>;
    assert.equal(spec.ipFamilies, undefined);
    assert.equal(spec.internalTrafficPolicy, undefined);
  });

  void test('clusterIP fills clusterIPs; ClientIP affinity gets a timeout', () => {
    const { obj } = create({ clusterIP: '10.0.0.9', sessionAffinity: 'ClientIP', ports: [{ port: 1 }] });
    const spec = obj.spec as Record<string, unknown>;
    assert.deepEqual(spec.clusterIPs, ['10.0.0.9']);
    assert.deepEqual(spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });
});

void describe('Service validation', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['ports required', { selector: { a: 'b' } }, ['spec.ports: Required value']],
    ['headless needs no ports', { clusterIP: 'None' }, []],
    [
      'second port needs a name',
      { ports: [{ name: 'http', port: 80 }, { port: 81 }] },
      ['spec.ports[1].name: Required value'],
    ],
    [
      'duplicate port names',
      {
        ports: [
          { name: 'http', port: 80 },
          { name: 'http', port: 81 },
        ],
      },
      ['spec.ports[1].name: Duplicate value: "http"'],
    ],
    [
      'port range',
      { ports: [{ port: 70000 }] },
      [
        'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      ],
    ],
    [
      'bad target port name',
      { ports: [{ port: 80, targetPort: 'HTTP' }] },
      [
        'spec.ports[0].targetPort: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.ports[0].targetPort: Invalid value: "HTTP": must contain at least one letter (a-z)',
      ],
    ],
    [
      'protocol',
      { ports: [{ port: 80, protocol: 'ICMP' }] },
      ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      'duplicate port and protocol',
      {
        ports: [
          { name: 'a', port: 80 },
          { name: 'b', port: 80 },
        ],
      },
      [
        'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
      ],
    ],
    [
      'nodePort on ClusterIP',
      { ports: [{ port: 80, nodePort: 30080 }] },
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    [
      'type values',
      { type: 'Magic', ports: [{ port: 80 }] },
      [
        'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
    ],
    ['externalName required', { type: 'ExternalName' }, ['spec.externalName: Required value']],
    [
      'selector labels',
      { selector: { app: 'a b' }, ports: [{ port: 80 }] },
      [
        "spec.selector: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    ],
    [
      'bad clusterIP',
      { clusterIP: '10.0.0.300', ports: [{ port: 80 }] },
      [
        'spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ],
    ],
    [
      'NodePort may not be headless',
      { type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] },
      ['spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services'],
    ],
    [
      'duplicate nodePort',
      {
        type: 'NodePort',
        ports: [
          { name: 'a', port: 80, nodePort: 30000 },
          { name: 'b', port: 81, nodePort: 30000 },
        ],
      },
      ['spec.ports[1].nodePort: Duplicate value: 30000'],
    ],
    [
      'externalTrafficPolicy only for external services',
      { externalTrafficPolicy: 'Local', ports: [{ port: 80 }] },
      [
        'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
      ],
    ],
    [
      'source ranges only for load balancers',
      { loadBalancerSourceRanges: ['10.0.0.0/8', 'x'], ports: [{ port: 80 }] },
      [
        "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
        'spec.LoadBalancerSourceRanges[1]: Invalid value: "x": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    ],
    [
      'clusterIPs must follow clusterIP',
      { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.2'], ports: [{ port: 80 }] },
      ['spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: first value must match `clusterIP`'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () => assert.deepEqual(create(spec).errs, want));
  }
});

void describe('Service update', () => {
  const created = (): KubeObject => {
    const { obj } = create({ selector: { app: 'web' }, ports: [{ port: 80 }] });
    (obj.spec as Record<string, unknown>).clusterIP = '10.96.0.10';
    (obj.spec as Record<string, unknown>).clusterIPs = ['10.96.0.10'];
    return obj;
  };

  void test('clusterIP may not change', () => {
    const old = created();
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>).clusterIP = '10.96.0.11';
    (next.spec as Record<string, unknown>).clusterIPs = ['10.96.0.11'];
    s.prepareForUpdate?.(next, old);
    assert.deepEqual(lines(s.validateUpdate?.(next, old)), [
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set',
    ]);
  });

  void test('omitted clusterIP is carried over and status kept', () => {
    const old = created();
    old.status = {
      loadBalancer: { ingress: [{ ip: '1.2.3.4' }] },
      conditions: [{ type: 'x', status: 'True' }],
    };
    const next = svc({ selector: { app: 'web' }, ports: [{ port: 80 }] });
    next.status = { loadBalancer: {} };
    s.defaults?.(next);
    s.prepareForUpdate?.(next, old);
    assert.deepEqual(lines(s.validate?.(next)), []);
    assert.deepEqual(lines(s.validateUpdate?.(next, old)), []);
    assert.equal((next.spec as Record<string, unknown>).clusterIP, '10.96.0.10');
    // Only load balancers keep load-balancer status.
    assert.deepEqual(next.status, { loadBalancer: {}, conditions: [{ type: 'x', status: 'True' }] });
  });

  void test('node ports are carried over by port name', () => {
    const { obj: old } = create({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
    const next = svc({ type: 'NodePort', ports: [{ name: 'http', port: 80 }] });
    s.defaults?.(next);
    s.prepareForUpdate?.(next, old);
    assert.equal(
      ((next.spec as Record<string, unknown>).ports as Record<string, unknown>[])[0]?.nodePort,
      30080,
    );
  });

  void test('switching to ExternalName drops the allocated IP fields', () => {
    const old = created();
    const next = structuredClone(old);
    Object.assign(next.spec as Record<string, unknown>, {
      type: 'ExternalName',
      externalName: 'example.com',
    });
    s.defaults?.(next);
    s.prepareForUpdate?.(next, old);
    assert.deepEqual(lines(s.validate?.(next)), []);
    assert.deepEqual(lines(s.validateUpdate?.(next, old)), []);
    const spec = next.spec as Record<string, unknown>;
    assert.equal(spec.clusterIP, undefined);
    assert.equal(spec.ipFamilies, undefined);
  });

  void test('LoadBalancer to ClusterIP drops allocateLoadBalancerNodePorts', () => {
    const { obj: old } = create({ type: 'LoadBalancer', ports: [{ port: 80 }] });
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>).type = 'ClusterIP';
    s.defaults?.(next);
    s.prepareForUpdate?.(next, old);
    assert.deepEqual(lines(s.validate?.(next)), []);
  });

  void test('switching NodePort to ClusterIP drops the unchanged node ports', () => {
    const { obj: old } = create({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>).type = 'ClusterIP';
    s.defaults?.(next);
    s.prepareForUpdate?.(next, old);
    assert.deepEqual(lines(s.validate?.(next)), []);
    assert.deepEqual((next.spec as Record<string, unknown>).ports, [
      { port: 80, protocol: 'TCP', targetPort: 80 },
    ]);
  });
});
