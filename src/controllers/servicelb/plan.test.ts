import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import { EXCLUDE_FROM_LB_LABEL, nodeAddresses, planLoadBalancers, servedHere } from './plan.js';

const node = (
  name: string,
  ready: boolean,
  addresses: [string, string][],
  labels?: Record<string, string>,
): Node => ({
  metadata: { name, ...(labels ? { labels } : {}) },
  status: {
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    addresses: addresses.map(([type, address]) => ({ type, address })),
  },
});

const lb = (
  name: string,
  created: string,
  ports: [string, number][],
  spec: Partial<Service['spec']> = {},
): Service => ({
  metadata: { namespace: 'default', name, creationTimestamp: created },
  spec: { type: 'LoadBalancer', ports: ports.map(([protocol, port]) => ({ protocol, port })), ...spec },
});

describe('service load balancers at the nodes', () => {
  test('ready nodes, ExternalIP before InternalIP, excluded nodes left out, sorted and unique', () => {
    assert.deepEqual(
      nodeAddresses([
        node('b', true, [['InternalIP', '10.0.0.2']]),
        node('a', true, [
          ['InternalIP', '10.0.0.1'],
          ['ExternalIP', '203.0.113.1'],
        ]),
        node('down', false, [['InternalIP', '10.0.0.3']]),
        node('out', true, [['InternalIP', '10.0.0.4']], { [EXCLUDE_FROM_LB_LABEL]: '' }),
        node('noaddr', true, [['Hostname', 'noaddr']]),
        node('twin', true, [['InternalIP', '10.0.0.2']]),
      ]),
      ['10.0.0.2', '203.0.113.1'],
    );
  });

  test('the oldest Service keeps a port; a later one wanting it stays pending and says who holds it', () => {
    const nodes = [node('a', true, [['InternalIP', '10.0.0.1']])];
    const plans = planLoadBalancers(
      [
        lb('late', '2026-01-02T00:00:00Z', [['TCP', 80]]),
        lb('first', '2026-01-01T00:00:00Z', [
          ['TCP', 80],
          ['TCP', 443],
        ]),
        lb('udp', '2026-01-03T00:00:00Z', [['UDP', 80]]),
        lb('classy', '2025-01-01T00:00:00Z', [['TCP', 80]], { loadBalancerClass: 'example.com/lb' }),
        {
          metadata: { namespace: 'default', name: 'plain' },
          spec: { type: 'ClusterIP', ports: [{ port: 80 }] },
        },
      ],
      nodes,
    );
    assert.deepEqual(plans.get('default/first'), { ips: ['10.0.0.1'] });
    assert.deepEqual(plans.get('default/late'), {
      ips: [],
      conflict: 'port TCP/80 is taken by load balancer default/first',
    });
    assert.deepEqual(plans.get('default/udp'), { ips: ['10.0.0.1'] }, 'UDP/80 is another port');
    assert.equal(plans.has('default/classy'), false, 'a class names another implementation');
    assert.equal(plans.has('default/plain'), false);
  });

  test('only LoadBalancer Services without a class are served here', () => {
    assert.equal(servedHere(lb('x', '', [['TCP', 1]])), true);
    assert.equal(servedHere(lb('x', '', [['TCP', 1]], { loadBalancerClass: 'x/y' })), false);
    assert.equal(servedHere(lb('x', '', [['TCP', 1]], { type: 'NodePort' })), false);
  });
});
