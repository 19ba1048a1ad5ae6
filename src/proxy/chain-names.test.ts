import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  base32,
  clusterPolicyChain,
  endpointChain,
  isOurNatChain,
  isServiceChain,
  servicePortName,
} from './chain-names.js';

void test('chain names hash as upstream (values from kube-proxy proxier_test.go)', () => {
  assert.equal(clusterPolicyChain('ns1/svc1:p80', 'TCP'), 'KUBE-SVC-XPGD46QRK7WJZT7O');
  assert.equal(endpointChain('ns1/svc1:p80', 'tcp', '10.180.0.1:80'), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
  assert.notEqual(clusterPolicyChain('ns1/svc1:p80', 'udp'), clusterPolicyChain('ns1/svc1:p80', 'tcp'));
  assert.ok(clusterPolicyChain('a-very-long-namespace/a-very-long-service-name:port', 'sctp').length <= 28);
});

void test('base32 is RFC 4648 (without padding)', () => {
  assert.equal(base32(Buffer.from('')), '');
  assert.equal(base32(Buffer.from('f')), 'MY');
  assert.equal(base32(Buffer.from('foobar')), 'MZXW6YTBOI');
});

void test('service port names and which chains are ours', () => {
  assert.equal(servicePortName('ns', 'web', ''), 'ns/web');
  assert.equal(servicePortName('ns', 'web', 'http'), 'ns/web:http');
  assert.ok(
    isServiceChain('KUBE-SEP-ABC') && isServiceChain('KUBE-EXT-ABC') && isServiceChain('KUBE-SVL-ABC'),
  );
  assert.ok(!isServiceChain('KUBE-SERVICES') && !isServiceChain('CNI-HOSTPORT-DNAT'));
  assert.ok(isOurNatChain('KUBE-MARK-MASQ') && !isOurNatChain('KUBE-FORWARD'));
});
