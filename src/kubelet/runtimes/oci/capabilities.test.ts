import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  capabilitiesInMask,
  capabilityName,
  effectiveCapabilities,
} from './capabilities.js';

test('capability names normalise to CAP_ form', () => {
  assert.equal(capabilityName('net_admin'), 'CAP_NET_ADMIN');
  assert.equal(capabilityName('CAP_KILL'), 'CAP_KILL');
});

test('default set, add, drop and ALL', () => {
  assert.deepEqual(effectiveCapabilities([], [], ALL_CAPABILITIES).sort(), [...DEFAULT_CAPABILITIES].sort());
  assert.equal(effectiveCapabilities(['ALL'], [], ALL_CAPABILITIES).length, 41);
  assert.deepEqual(effectiveCapabilities(['NET_BIND_SERVICE'], ['ALL'], ALL_CAPABILITIES), [
    'CAP_NET_BIND_SERVICE',
  ]);
  assert.deepEqual(effectiveCapabilities([], ['ALL'], ALL_CAPABILITIES), []);
  assert.ok(!effectiveCapabilities([], ['KILL'], ALL_CAPABILITIES).includes('CAP_KILL'));
  // Capabilities the agent does not hold are left out.
  const held = ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE');
  assert.ok(!effectiveCapabilities(['SYS_RESOURCE'], [], held).includes('CAP_SYS_RESOURCE'));
  assert.equal(effectiveCapabilities(['ALL'], [], held).length, 40);
});

test('capability masks from /proc/<pid>/status', () => {
  assert.deepEqual(capabilitiesInMask('0000000000000003'), ['CAP_CHOWN', 'CAP_DAC_OVERRIDE']);
  const all = capabilitiesInMask('000001fffeffffff');
  assert.equal(all.length, 40);
  assert.ok(!all.includes('CAP_SYS_RESOURCE'));
});
