import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVersion, supportsRandomFully } from './iptables.js';

void test('MASQUERADE --random-fully from iptables 1.6.2 on', () => {
  assert.deepEqual(parseVersion('iptables v1.8.9 (nf_tables)\n'), [1, 8, 9]);
  assert.deepEqual(parseVersion('iptables v1.6.1'), [1, 6, 1]);
  assert.equal(parseVersion('command not found'), undefined);
  assert.equal(supportsRandomFully([1, 6, 1]), false);
  assert.equal(supportsRandomFully([1, 6, 2]), true);
  assert.equal(supportsRandomFully([1, 8, 9]), true);
  assert.equal(supportsRandomFully([1, 4, 21]), false);
});
