import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { desiredPodRoutes, parseRoutes, routeChanges, routingKey } from './routes.js';

function node(name: string, cidrs: string[], addresses: [type: string, address: string][]): Node {
  return {
    metadata: { name },
    spec: { podCIDR: cidrs[0], podCIDRs: cidrs },
    status: { addresses: addresses.map(([type, address]) => ({ type, address })) },
  };
}

test("every other node's pod CIDRs are routed through its InternalIP of the same family", () => {
  const nodes = [
    node('self', ['10.42.0.0/24'], [['InternalIP', '192.0.2.1']]),
    node(
      'b',
      ['10.42.2.0/24', 'fd00:42:2::/64'],
      [
        ['Hostname', 'b'],
        ['ExternalIP', '198.51.100.2'],
        ['InternalIP', '192.0.2.2'],
        ['InternalIP', '2001:db8::2'],
      ],
    ),
    node('a', ['10.42.1.0/24'], [['InternalIP', '192.0.2.3']]),
    node('no-cidr-yet', [], [['InternalIP', '192.0.2.4']]),
    node('no-address', ['10.42.5.0/24'], []),
  ];
  assert.deepEqual(desiredPodRoutes(nodes, 'self'), [
    { cidr: '10.42.1.0/24', via: '192.0.2.3' },
    { cidr: '10.42.2.0/24', via: '192.0.2.2' },
    { cidr: 'fd00:42:2::/64', via: '2001:db8::2' },
  ]);
  const base = node('gone', ['10.42.9.0/24'], [['InternalIP', '192.0.2.9']]);
  const leaving: Node = { ...base, metadata: { name: 'gone', deletionTimestamp: '2026-01-01T00:00:00Z' } };
  assert.deepEqual(desiredPodRoutes([leaving], 'self'), []);
  // A node from before podCIDRs: the single podCIDR.
  const old: Node = {
    metadata: { name: 'old' },
    spec: { podCIDR: '10.42.7.0/24' },
    status: node('x', [], [['InternalIP', '192.0.2.7']]).status,
  };
  assert.deepEqual(desiredPodRoutes([old], 'self'), [{ cidr: '10.42.7.0/24', via: '192.0.2.7' }]);
});

test('ip route output is read back, host routes with their prefix', () => {
  const text = [
    '10.42.1.0/24 via 192.0.2.3 dev eth0 ',
    '10.42.9.1 via 192.0.2.9 dev eth0 onlink ',
    'fd00:42:2::/64 via 2001:db8::2 dev eth0 metric 1024 pref medium',
    'blackhole 10.99.0.0/16',
    '',
  ].join('\n');
  assert.deepEqual(parseRoutes(text), [
    { cidr: '10.42.1.0/24', via: '192.0.2.3' },
    { cidr: '10.42.9.1/32', via: '192.0.2.9' },
    { cidr: 'fd00:42:2::/64', via: '2001:db8::2' },
  ]);
});

test('only new or moved routes are replaced, and only stale ones removed', () => {
  const current = [
    { cidr: '10.42.1.0/24', via: '192.0.2.3' },
    { cidr: '10.42.2.0/24', via: '192.0.2.2' },
    { cidr: '10.42.3.0/24', via: '192.0.2.5' },
  ];
  const desired = [
    { cidr: '10.42.1.0/24', via: '192.0.2.3' },
    { cidr: '10.42.2.0/24', via: '192.0.2.20' },
    { cidr: '10.42.4.0/24', via: '192.0.2.4' },
  ];
  assert.deepEqual(routeChanges(current, desired), {
    replace: [desired[1], desired[2]],
    remove: [current[2]],
  });
  assert.deepEqual(routeChanges(desired, desired), { replace: [], remove: [] });
});

test('a heartbeat does not change what routes are made of; a new CIDR, address or deletion does', () => {
  const base = node('b', ['10.42.2.0/24'], [['InternalIP', '192.0.2.2']]);
  const heartbeat: Node = {
    ...base,
    status: { ...base.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'now' }] },
  };
  assert.equal(routingKey(heartbeat), routingKey(base));
  assert.notEqual(routingKey(node('b', ['10.42.3.0/24'], [['InternalIP', '192.0.2.2']])), routingKey(base));
  assert.notEqual(routingKey(node('b', ['10.42.2.0/24'], [['InternalIP', '192.0.2.9']])), routingKey(base));
  assert.notEqual(
    routingKey({ ...base, metadata: { name: 'b', deletionTimestamp: 'now' } }),
    routingKey(base),
  );
});
