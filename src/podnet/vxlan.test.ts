import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import {
  ANN_BACKEND_DATA,
  ANN_BACKEND_TYPE,
  ANN_PUBLIC_IP,
  desiredVxlanPeers,
  deviceMac,
  entryChanges,
  interfaceWithAddress,
  linkMtu,
  networkAddress,
  parseFdb,
  parseNeighbors,
  parseVxlanDevice,
  vtepAnnotations,
  vtepMac,
  vxlanKey,
} from './vxlan.js';
import { vxlanPodMtu } from './vxlan-backend.js';

function node(name: string, cidrs: string[], internalIP: string, annotations?: Record<string, string>): Node {
  return {
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { podCIDR: cidrs[0], podCIDRs: cidrs },
    status: { addresses: [{ type: 'InternalIP', address: internalIP }] },
  };
}

test('a node publishes its device in flannel’s annotations, which read back', () => {
  const annotations = vtepAnnotations('0a:11:22:33:44:55', '192.0.2.7');
  assert.deepEqual(annotations, {
    [ANN_BACKEND_DATA]: '{"VNI":1,"VtepMAC":"0a:11:22:33:44:55"}',
    [ANN_BACKEND_TYPE]: 'vxlan',
    [ANN_PUBLIC_IP]: '192.0.2.7',
  });
  assert.equal(vtepMac(node('a', [], '192.0.2.7', annotations)), '0a:11:22:33:44:55');
  // Another backend, broken data or a malformed MAC: no device.
  assert.equal(
    vtepMac(node('a', [], '192.0.2.7', { ...annotations, [ANN_BACKEND_TYPE]: 'host-gw' })),
    undefined,
  );
  assert.equal(vtepMac(node('a', [], '192.0.2.7', { ...annotations, [ANN_BACKEND_DATA]: '{' })), undefined);
  assert.equal(
    vtepMac(node('a', [], '192.0.2.7', { ...annotations, [ANN_BACKEND_DATA]: '{"VtepMAC":"zz"}' })),
    undefined,
  );
});

test('peers: every other node with a device, per IPv4 pod CIDR, to its public IP or InternalIP', () => {
  const mac = (n: number): string => `0a:00:00:00:00:0${n}`;
  const nodes = [
    node('self', ['10.42.0.0/24'], '192.0.2.1', vtepAnnotations(mac(1), '192.0.2.1')),
    node('b', ['10.42.2.0/24', 'fd00:42:2::/64'], '192.0.2.2', vtepAnnotations(mac(2), '198.51.100.2')),
    node('a', ['10.42.1.0/24'], '192.0.2.3', {
      [ANN_BACKEND_TYPE]: 'vxlan',
      [ANN_BACKEND_DATA]: JSON.stringify({ VNI: 1, VtepMAC: mac(3).toUpperCase() }),
    }),
    node('no-device-yet', ['10.42.4.0/24'], '192.0.2.4'),
    node('no-cidr-yet', [], '192.0.2.5', vtepAnnotations(mac(5), '192.0.2.5')),
  ];
  assert.deepEqual(desiredVxlanPeers(nodes, 'self'), [
    { cidr: '10.42.1.0/24', gateway: '10.42.1.0', mac: mac(3), dst: '192.0.2.3' },
    { cidr: '10.42.2.0/24', gateway: '10.42.2.0', mac: mac(2), dst: '198.51.100.2' },
  ]);
  const base = node('gone', ['10.42.9.0/24'], '192.0.2.9', vtepAnnotations(mac(9), '192.0.2.9'));
  const leaving: Node = {
    ...base,
    metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
  };
  assert.deepEqual(desiredVxlanPeers([leaving], 'self'), []);
});

test('the overlay key follows the published annotations only', () => {
  const a = node('a', ['10.42.1.0/24'], '192.0.2.3', vtepAnnotations('0a:00:00:00:00:01', '192.0.2.3'));
  const relabelled: Node = { ...a, metadata: { ...a.metadata, labels: { x: 'y' } } };
  assert.equal(vxlanKey(a), vxlanKey(relabelled));
  const moved = node('a', ['10.42.1.0/24'], '192.0.2.3', vtepAnnotations('0a:00:00:00:00:01', '192.0.2.30'));
  assert.notEqual(vxlanKey(a), vxlanKey(moved));
});

test('device MACs are stable, unicast and locally administered', () => {
  const mac = deviceMac('node-a');
  assert.equal(mac, deviceMac('node-a'));
  assert.notEqual(mac, deviceMac('node-b'));
  assert.match(mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  const first = parseInt(mac.slice(0, 2), 16);
  assert.equal(first & 0x01, 0, 'unicast');
  assert.equal(first & 0x02, 0x02, 'locally administered');
});

test('network addresses of pod CIDRs', () => {
  assert.equal(networkAddress('10.42.2.0/24'), '10.42.2.0');
  assert.equal(networkAddress('10.42.2.77/24'), '10.42.2.0');
});

test('parsing bridge fdb, ip neigh, ip link and ip addr output', () => {
  const fdb = parseFdb(
    [
      '0A:AA:BB:CC:DD:EE dst 192.168.5.2 self permanent',
      '0a:aa:bb:cc:dd:ef dst 192.168.5.3 self permanent',
      '33:33:00:00:00:01 self permanent',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    [...fdb],
    [
      ['0a:aa:bb:cc:dd:ee', '192.168.5.2'],
      ['0a:aa:bb:cc:dd:ef', '192.168.5.3'],
    ],
  );
  const neigh = parseNeighbors(
    '10.42.2.0 lladdr 0a:aa:bb:cc:dd:ee PERMANENT \n10.42.3.0 FAILED\n10.42.4.0 lladdr 0A:AA:BB:CC:DD:EF PERMANENT\n',
  );
  assert.deepEqual(
    [...neigh],
    [
      ['10.42.2.0', '0a:aa:bb:cc:dd:ee'],
      ['10.42.4.0', '0a:aa:bb:cc:dd:ef'],
    ],
  );
  const link = JSON.stringify([
    {
      ifname: 'tugboat-vxlan',
      flags: ['BROADCAST', 'MULTICAST', 'UP'],
      mtu: 1450,
      address: '0A:11:22:33:44:55',
      linkinfo: { info_kind: 'vxlan', info_data: { id: 1, local: '192.168.5.1', port: 8472 } },
    },
  ]);
  assert.deepEqual(parseVxlanDevice(link), {
    mac: '0a:11:22:33:44:55',
    vni: 1,
    local: '192.168.5.1',
    port: 8472,
    up: true,
  });
  assert.equal(parseVxlanDevice('[{"ifname":"x","linkinfo":{"info_kind":"bridge"}}]'), undefined);
  assert.equal(parseVxlanDevice('not json'), undefined);
  const addrs = [
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    '3: eth0    inet 192.168.5.1/24 brd 192.168.5.255 scope global eth0\\       valid_lft forever',
    '4: veth1@if3    inet 192.168.6.1/24 scope global veth1\\       valid_lft forever',
  ].join('\n');
  assert.equal(interfaceWithAddress(addrs, '192.168.5.1'), 'eth0');
  assert.equal(interfaceWithAddress(addrs, '192.168.6.1'), 'veth1');
  assert.equal(interfaceWithAddress(addrs, '192.168.5.2'), undefined);
  assert.equal(linkMtu('2: eth0: <BROADCAST,MULTICAST,UP> mtu 9001 qdisc mq state UP'), 9001);
});

test('entry changes: write what differs, remove what is not wanted', () => {
  const current = new Map([
    ['a', '1'],
    ['b', '2'],
    ['c', '3'],
  ]);
  const desired = new Map([
    ['a', '1'],
    ['b', '20'],
    ['d', '4'],
  ]);
  assert.deepEqual(entryChanges(current, desired), {
    write: [
      ['b', '20'],
      ['d', '4'],
    ],
    remove: ['c'],
  });
});

test('the pod MTU under VXLAN: the link’s less 50, or 1450 when it cannot be read', async () => {
  const runner = (outputs: Record<string, string>) => ({
    run: (argv: string[]) => {
      const out = outputs[argv.slice(0, 3).join(' ')];
      return out === undefined
        ? Promise.reject(new Error('spawn ip ENOENT'))
        : Promise.resolve({ code: 0, stdout: out, stderr: '' });
    },
  });
  const jumbo = runner({
    'ip -o addr': '2: eth0    inet 192.0.2.7/24 brd 192.0.2.255 scope global eth0\\',
    'ip -o link': '2: eth0: <BROADCAST,MULTICAST,UP> mtu 9001 qdisc mq state UP',
  });
  assert.equal(await vxlanPodMtu(jumbo, '192.0.2.7'), 8951);
  assert.equal(await vxlanPodMtu(jumbo, '198.51.100.1'), 1450, 'an address on no interface');
  assert.equal(await vxlanPodMtu(runner({}), '192.0.2.7'), 1450, 'no ip command');
});
