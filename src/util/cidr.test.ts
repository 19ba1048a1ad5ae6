import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cidrContains, cidrMinus } from './cidr.js';

describe('CIDR arithmetic', () => {
  test('containment, for either family; text that is not a CIDR contains nothing', () => {
    assert.equal(cidrContains('198.51.100.0/24', '198.51.100.7'), true);
    assert.equal(cidrContains('198.51.100.1/24', '198.51.100.200'), true, 'host bits of the range ignored');
    assert.equal(cidrContains('198.51.100.0/25', '198.51.100.200'), false);
    assert.equal(cidrContains('fd00::/64', 'fd00::1'), true);
    assert.equal(cidrContains('fd00::/64', '198.51.100.7'), false);
    assert.equal(cidrContains('nonsense', '198.51.100.7'), false);
  });

  test('a range less its exceptions is the fewest CIDRs covering exactly the rest', () => {
    assert.deepEqual(cidrMinus('10.0.0.0/24', []), ['10.0.0.0/24']);
    assert.deepEqual(cidrMinus('10.0.0.0/24', ['10.0.0.128/25']), ['10.0.0.0/25']);
    assert.deepEqual(cidrMinus('10.0.0.0/24', ['10.0.0.0/16']), [], 'wholly excepted');
    assert.deepEqual(cidrMinus('10.0.0.0/24', ['192.0.2.0/24']), ['10.0.0.0/24'], 'an exception elsewhere');
    const pieces = cidrMinus('10.0.0.0/24', ['10.0.0.5/32']);
    assert.equal(pieces.length, 8);
    for (let i = 0; i < 256; i++) {
      const ip = `10.0.0.${i}`;
      assert.equal(pieces.filter((p) => cidrContains(p, ip)).length, i === 5 ? 0 : 1, ip);
    }
  });
});
