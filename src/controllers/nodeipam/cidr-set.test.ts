import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CidrSet } from './cidr-set.js';

test('subnets are handed out lowest first and reused after release', () => {
  const set = new CidrSet('10.42.0.0/16', 24);
  assert.equal(set.allocate(), '10.42.0.0/24');
  assert.equal(set.allocate(), '10.42.1.0/24');
  assert.equal(set.occupy('10.42.2.0/24'), true);
  assert.equal(set.allocate(), '10.42.3.0/24');
  set.release('10.42.1.0/24');
  assert.equal(set.allocate(), '10.42.1.0/24');
  assert.equal(set.free, 256 - 4);
});

test('subnets outside the cluster CIDR or of another size are not ours', () => {
  const set = new CidrSet('10.42.0.0/16', 24);
  assert.equal(set.occupy('10.43.0.0/24'), false);
  assert.equal(set.occupy('10.42.0.0/25'), false);
  assert.equal(set.occupy('not-a-cidr'), false);
});

test('a full set allocates nothing; IPv6 works the same way', () => {
  const small = new CidrSet('10.42.0.0/23', 24);
  assert.equal(small.allocate(), '10.42.0.0/24');
  assert.equal(small.allocate(), '10.42.1.0/24');
  assert.equal(small.allocate(), undefined);
  const v6 = new CidrSet('fd00:42::/56', 64);
  assert.equal(v6.allocate(), 'fd00:42::/64');
  assert.equal(v6.allocate(), 'fd00:42:0:1::/64');
  assert.throws(() => new CidrSet('10.42.0.0/16', 8), /does not fit/);
});
