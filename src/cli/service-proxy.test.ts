import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceProxyOffReason } from './service-proxy.js';

void test('the service proxy runs with real containers unless disabled', () => {
  assert.equal(serviceProxyOffReason({ disabled: false, runtimeKind: 'oci' }), undefined);
  assert.equal(
    serviceProxyOffReason({ disabled: true, runtimeKind: 'oci' }),
    'disabled by --disable-kube-proxy',
  );
  assert.match(serviceProxyOffReason({ disabled: false, runtimeKind: 'process' }) ?? '', /process runtime/);
});
