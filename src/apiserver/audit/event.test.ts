import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventJson, microTime, type AuditEvent } from './event.js';

test('microTime: RFC 3339 in UTC with six fractional digits', () => {
  const at = Date.parse('2026-12-07T16:05:03.000Z');
  assert.equal(microTime(at + 123.4567), '2026-12-07T16:05:03.123456Z');
  assert.equal(microTime(at), '2026-12-07T16:05:03.000000Z');
  assert.equal(microTime(at + 999.9995), '2026-12-07T16:05:03.999999Z');
  assert.equal(microTime(at + 1000.5), '2026-12-07T16:05:04.000500Z');
});

test('eventJson: upstream’s field order whatever order the fields were set in; map keys sorted', () => {
  const ev: AuditEvent = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'id-1',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/configmaps?x="y"',
    verb: 'create',
    user: { username: 'alice', groups: ['devs'], extra: { z: ['1'], a: ['2'] } },
    requestReceivedTimestamp: '2026-12-07T16:05:03.123456Z',
    stageTimestamp: '2026-12-07T16:05:03.223456Z',
  };
  ev.annotations = { 'z/key': 'last', 'a/key': 'first' };
  ev.responseObject = { kind: 'ConfigMap' };
  ev.objectRef = { subresource: 'status', name: 'cm', resource: 'configmaps', uid: 'u' };
  ev.responseStatus = { metadata: {}, code: 201 };
  ev.requestObject = { metadata: { name: 'cm' } };
  ev.impersonatedUser = { username: 'bob' };
  ev.userAgent = 'kubectl';
  ev.sourceIPs = ['127.0.0.1'];
  assert.equal(
    eventJson(ev),
    JSON.stringify({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      auditID: 'id-1',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/default/configmaps?x="y"',
      verb: 'create',
      user: { username: 'alice', groups: ['devs'], extra: { a: ['2'], z: ['1'] } },
      impersonatedUser: { username: 'bob' },
      sourceIPs: ['127.0.0.1'],
      userAgent: 'kubectl',
      objectRef: { resource: 'configmaps', name: 'cm', uid: 'u', subresource: 'status' },
      responseStatus: { metadata: {}, code: 201 },
      requestObject: { metadata: { name: 'cm' } },
      responseObject: { kind: 'ConfigMap' },
      requestReceivedTimestamp: '2026-12-07T16:05:03.123456Z',
      stageTimestamp: '2026-12-07T16:05:03.223456Z',
      annotations: { 'a/key': 'first', 'z/key': 'last' },
    }),
  );
});
