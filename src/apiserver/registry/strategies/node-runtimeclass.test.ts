import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import { runtimeClassStrategy as rc } from './node-runtimeclass.js';

const lines = (errs: FieldError[] | undefined): string[] =>
  (errs ?? []).map((e) => `${e.field}: ${e.message}`);
const named = (extra: Record<string, unknown>): KubeObject => ({ metadata: { name: 'gvisor' }, ...extra });

void test('RuntimeClass: a DNS-label handler, overhead as limits, scheduling labels and tolerations', () => {
  assert.deepEqual(lines(rc.validate?.(named({ handler: 'runsc' }))), []);
  assert.deepEqual(lines(rc.validate?.(named({}))), ['handler: Required value']);
  assert.deepEqual(lines(rc.validate?.(named({ handler: 'Run_SC' }))), [
    "handler: Invalid value: \"Run_SC\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  const full = named({
    handler: 'runsc',
    overhead: { podFixed: { cpu: '-1' } },
    scheduling: {
      nodeSelector: { 'bad key!': 'x' },
      tolerations: [
        { key: 'sandbox', operator: 'Exists' },
        { key: 'sandbox', operator: 'Exists' },
      ],
    },
  });
  const errs = lines(rc.validate?.(full));
  assert.ok(
    errs.some((e) => e.startsWith('overhead.limits[cpu]: ')),
    errs.join('\n'),
  );
  assert.ok(
    errs.some((e) => e.startsWith('scheduling.nodeSelector: Invalid value: "bad key!"')),
    errs.join('\n'),
  );
  assert.ok(
    errs.includes('scheduling.tolerations[1]: Duplicate value: {"key":"sandbox","operator":"Exists"}'),
    errs.join('\n'),
  );
  assert.deepEqual(lines(rc.validateUpdate?.(named({ handler: 'kata' }), named({ handler: 'runsc' }))), [
    'handler: Invalid value: "kata": field is immutable',
  ]);
});
