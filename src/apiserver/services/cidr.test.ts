import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstServiceIp, formatIpv4, inRange, parseIpv4, parseServiceRange } from './cidr.js';

void test('the service range: network, size, first IP and membership (network and broadcast excluded)', () => {
  const r = parseServiceRange('10.43.7.9/16');
  assert.deepEqual(r, { cidr: '10.43.7.9/16', base: parseIpv4('10.43.0.0'), size: 65536 });
  assert.equal(firstServiceIp(r), '10.43.0.1');
  assert.equal(formatIpv4(r.base + r.size - 2), '10.43.255.254');
  assert.equal(inRange(r, '10.43.255.254'), true);
  assert.equal(inRange(r, '10.43.0.0'), false);
  assert.equal(inRange(r, '10.43.255.255'), false);
  assert.equal(inRange(r, '10.44.0.1'), false);
  assert.equal(inRange(r, 'not-an-ip'), false);
});

void test('ranges that are not IPv4 /8 to /30 are refused', () => {
  for (const bad of ['10.43.0.0/7', '10.43.0.0/31', 'fd00::/112', '10.43.0.0', 'x/16'])
    assert.throws(() => parseServiceRange(bad), /invalid service CIDR/);
});
