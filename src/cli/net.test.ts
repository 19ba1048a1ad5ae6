import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigIntToIp, firstHostAddress, formatCidr, ipToBigInt, parseCidr } from './net.js';

void test('the first host address of a service CIDR is the kubernetes service IP', () => {
  assert.equal(firstHostAddress(parseCidr('10.43.0.0/16')), '10.43.0.1');
  assert.equal(firstHostAddress(parseCidr('10.96.12.34/12')), '10.96.0.1');
  assert.equal(firstHostAddress(parseCidr('fd00:43::/112')), 'fd00:43::1');
});

void test('parseCidr masks host bits and rejects malformed input', () => {
  assert.equal(formatCidr(parseCidr('192.168.7.9/24')), '192.168.7.0/24');
  assert.equal(formatCidr(parseCidr('2001:db8::1/64')), '2001:db8::/64');
  for (const bad of ['10.0.0.0', '10.0.0.0/33', 'fd00::/129', 'x/8', '10.0.0.0/+8', '10.0.0.0/8/8', '']) {
    assert.throws(() => parseCidr(bad), /invalid CIDR address/, bad);
  }
});

void test('IP text and numbers round-trip', () => {
  for (const [ip, family] of [
    ['0.0.0.0', 4],
    ['255.255.255.255', 4],
    ['::', 6],
    ['::1', 6],
    ['2001:db8::ff00:42:8329', 6],
    ['fe80::1:2', 6],
  ] as const) {
    assert.equal(bigIntToIp(ipToBigInt(ip), family), ip);
  }
  assert.equal(ipToBigInt('::ffff:1.2.3.4'), 0xffff01020304n);
});
