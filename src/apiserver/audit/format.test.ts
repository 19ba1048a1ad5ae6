import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goQuote, legacyEventLine, rfc3339Nano } from './format.js';
import type { AuditEvent } from './event.js';
import type { AuditStage } from './policy.js';

const id = '3f1d9c52-7b3e-4e0a-9d6c-2f4b8a1e5c70';

/** An event with Go's zero values, as upstream's tests build them, plus the fields given. */
function event(fields: Partial<AuditEvent>): AuditEvent {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: id,
    stage: '' as AuditStage,
    requestURI: '',
    verb: '',
    user: { username: '' },
    requestReceivedTimestamp: '',
    stageTimestamp: '',
    ...fields,
  };
}

// The three events of upstream's TestLogEventsLegacy (plugin/pkg/audit/log/backend_test.go), with the
// ID and time it leaves to regular expressions fixed.
test('an event with nothing but an ID: every placeholder', () => {
  assert.equal(
    legacyEventLine(event({})),
    `0001-01-01T00:00:00Z AUDIT: id="${id}" stage="" ip="<unknown>" method="" user="<none>" groups="<none>" ` +
      'as="<self>" asgroups="<lookup>" user-agent="" namespace="<none>" uri="" response="<deferred>"',
  );
});

test("a completed get by an admin: groups quoted twice, the first source IP, the response's code", () => {
  const line = legacyEventLine(
    event({
      responseStatus: { metadata: {}, code: 200 },
      requestURI: '/apis/rbac.authorization.k8s.io/v1/roles',
      sourceIPs: ['127.0.0.1', '10.0.0.1'],
      requestReceivedTimestamp: '2026-12-07T16:05:03.123456Z',
      stageTimestamp: '2026-12-07T16:05:04.000000Z',
      stage: 'RequestReceived',
      verb: 'get',
      user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
      userAgent: 'kube-admin',
      objectRef: { namespace: 'default' },
    }),
  );
  assert.equal(
    line,
    `2026-12-07T16:05:03.123456Z AUDIT: id="${id}" stage="RequestReceived" ip="127.0.0.1" method="get" ` +
      String.raw`user="admin" groups="\"system:masters\",\"system:authenticated\"" as="<self>" asgroups="<lookup>" ` +
      'user-agent="kube-admin" namespace="default" uri="/apis/rbac.authorization.k8s.io/v1/roles" response="200"',
  );
});

test('an object reference without a namespace', () => {
  const line = legacyEventLine(
    event({ objectRef: { resource: 'foo', apiVersion: 'v1', subresource: 'bar' } }),
  );
  assert.match(line, / namespace="<none>" /);
});

test('groups print only with a user name', () => {
  const line = legacyEventLine(event({ user: { username: '', groups: ['system:unauthenticated'] } }));
  assert.match(line, / user="<none>" groups="<none>" /);
});

test('impersonation: the user as; its groups when the list is there, even empty', () => {
  const as = (groups?: string[]): string =>
    legacyEventLine(
      event({
        user: { username: 'admin' },
        impersonatedUser: { username: 'system:serviceaccount:kube-system:builder', groups },
      }),
    );
  assert.match(
    as(['system:serviceaccounts', 'dev']),
    / as="system:serviceaccount:kube-system:builder" asgroups="\\"system:serviceaccounts\\",\\"dev\\"" /,
  );
  assert.match(as([]), / asgroups="" /);
  assert.match(as(undefined), / asgroups="<lookup>" /);
});

test('a response status without a code prints 0, as Go reads the missing int', () => {
  assert.match(
    legacyEventLine(event({ responseStatus: { metadata: {}, status: 'Failure' } })),
    / response="0"$/,
  );
});

test("values are quoted as Go's %q: a hostile user agent stays on its line", () => {
  const line = legacyEventLine(event({ userAgent: 'curl/8.0\n" response="200', requestURI: '/api?q=a\\b' }));
  assert.ok(!line.includes('\n'));
  assert.match(line, / user-agent="curl\/8\.0\\n\\" response=\\"200" /);
  assert.match(line, / uri="\/api\?q=a\\\\b" /);
});

test('timestamps in the layout of RFC3339Nano: no trailing zeros', () => {
  assert.equal(rfc3339Nano('2026-12-07T16:05:03.123456Z'), '2026-12-07T16:05:03.123456Z');
  assert.equal(rfc3339Nano('2026-12-07T16:05:03.120000Z'), '2026-12-07T16:05:03.12Z');
  assert.equal(rfc3339Nano('2026-12-07T16:05:03.000000Z'), '2026-12-07T16:05:03Z');
  assert.equal(rfc3339Nano('2026-12-07T17:05:03.500000+01:00'), '2026-12-07T17:05:03.5+01:00');
  assert.equal(rfc3339Nano('2026-12-07T16:05:03Z'), '2026-12-07T16:05:03Z');
  assert.equal(rfc3339Nano(''), '0001-01-01T00:00:00Z');
});

test('goQuote escapes as strconv.Quote', () => {
  const cases: [string, string][] = [
    ['', '""'],
    ['plain text', '"plain text"'],
    ['say "hi" \\ bye', String.raw`"say \"hi\" \\ bye"`],
    ['\x07\b\f\n\r\t\v', String.raw`"\a\b\f\n\r\t\v"`],
    ['\x00\x1b[31m\x7f', String.raw`"\x00\x1b[31m\x7f"`],
    ['café ünïcode ✓ 😀', '"café ünïcode ✓ 😀"'],
    ['no\u00a0break\u2028line\u200bzero', String.raw`"no\u00a0break\u2028line\u200bzero"`],
    ['tag \u{e0001}', String.raw`"tag \U000e0001"`],
    ['lone \ud800 surrogate', '"lone \ufffd surrogate"'],
  ];
  for (const [input, quoted] of cases) assert.equal(goQuote(input), quoted, JSON.stringify(input));
});
