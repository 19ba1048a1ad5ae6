import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CniNetwork, podIp } from './cni.js';

const net = new CniNetwork({
  binDir: '/usr/lib/cni',
  confDir: '/state/cni',
  networkName: 'tugboat',
  bridgeName: 'tugboat0',
  podCidr: '10.42.3.0/24',
  ipMasq: true,
});

test('the conflist: bridge with host-local IPAM in our state dir, then portmap', () => {
  const c = net.conflist();
  assert.equal(c.name, 'tugboat');
  assert.deepEqual(
    c.plugins.map((p) => p.type),
    ['bridge', 'portmap'],
  );
  assert.equal(c.plugins[0]?.bridge, 'tugboat0');
  assert.deepEqual(c.plugins[0]?.ipam, {
    type: 'host-local',
    ranges: [[{ subnet: '10.42.3.0/24' }]],
    routes: [{ dst: '0.0.0.0/0' }],
    dataDir: '/state/cni/ipam',
  });
  assert.equal(net.conflistPath, '/state/cni/tugboat.conflist');
});

test('podIp strips the prefix length', () => {
  assert.equal(podIp({ cniVersion: '1.0.0', ips: [{ address: '10.42.3.7/24' }] }), '10.42.3.7');
  assert.equal(podIp({ cniVersion: '1.0.0' }), undefined);
});
