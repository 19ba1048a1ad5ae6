import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  goStrings,
  ipToBigInt,
  isConfigMapKey,
  isStrictSubnet,
  isValidCIDR,
  validateQuantity,
} from './core-common.js';

void describe('core-common helpers', () => {
  void test('CIDRs', () => {
    assert.equal(isValidCIDR('10.0.0.0/8'), true);
    assert.equal(isValidCIDR('2001:db8::/32'), true);
    assert.equal(isValidCIDR('10.0.0.0/33'), false);
    assert.equal(isValidCIDR('10.0.0.0'), false);
    assert.equal(isValidCIDR('x/8'), false);
  });

  void test('IP arithmetic and subnets', () => {
    assert.equal(ipToBigInt('10.0.0.1')?.value, 0x0a000001n);
    assert.equal(ipToBigInt('::1')?.value, 1n);
    assert.equal(ipToBigInt('::ffff:1.2.3.4')?.value, 0xffff01020304n);
    assert.equal(isStrictSubnet('10.1.0.0/16', '10.0.0.0/8'), true);
    assert.equal(isStrictSubnet('10.0.0.0/8', '10.0.0.0/8'), false);
    assert.equal(isStrictSubnet('11.0.0.0/16', '10.0.0.0/8'), false);
    assert.equal(isStrictSubnet('2001:db8:1::/48', '2001:db8::/32'), true);
    assert.equal(isStrictSubnet('10.0.0.0/16', '2001:db8::/32'), false);
  });

  void test('config keys', () => {
    assert.deepEqual(isConfigMapKey('a.b-c_D'), []);
    assert.deepEqual(isConfigMapKey('..'), ["must not be '..'"]);
    assert.equal(isConfigMapKey('x'.repeat(254)).length, 1);
  });

  void test('quantities and Go-style slices', () => {
    assert.deepEqual(validateQuantity('1Gi', 'p'), []);
    assert.deepEqual(
      validateQuantity('-2', 'p').map((e) => e.message),
      ['Invalid value: "-2": must be greater than or equal to 0'],
    );
    assert.equal(goStrings(['a', 'b']), '[]string{"a", "b"}');
  });
});
