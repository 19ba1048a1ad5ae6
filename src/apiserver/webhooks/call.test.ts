import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reviewVersionFor, verifyAnswer } from './call.js';

const review = (response: Record<string, unknown>, apiVersion = 'admission.k8s.io/v1') => ({
  apiVersion,
  kind: 'AdmissionReview',
  response,
});
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');

describe('verifyAnswer', () => {
  it('takes an allowed answer with warnings', () => {
    const a = verifyAnswer(review({ uid: 'u1', allowed: true, warnings: ['careful'] }), 'u1', 'v1', false);
    assert.deepEqual(a, { allowed: true, warnings: ['careful'] });
  });

  it('keeps the answer’s string audit annotations', () => {
    const a = verifyAnswer(
      review({ uid: 'u1', allowed: true, auditAnnotations: { checked: 'yes', count: 3 } }),
      'u1',
      'v1',
      false,
    );
    assert.deepEqual(a, { allowed: true, warnings: [], auditAnnotations: { checked: 'yes' } });
  });

  it('refuses a mismatched uid or kind with upstream wording', () => {
    assert.throws(
      () => verifyAnswer(review({ uid: 'other', allowed: true }), 'u1', 'v1', false),
      /^Error: received invalid webhook response: expected response.uid="u1", got "other"$/,
    );
    assert.throws(
      () => verifyAnswer(review({ uid: 'u1', allowed: true }, 'admission.k8s.io/v2'), 'u1', 'v1', false),
      /expected webhook response of admission.k8s.io\/v1, Kind=AdmissionReview/,
    );
    assert.throws(() => verifyAnswer({}, 'u1', 'v1', false), /webhook response was absent/);
  });

  it('decodes a JSONPatch and checks patch and patchType go together', () => {
    const ops = [{ op: 'add', path: '/metadata/labels/a', value: 'b' }];
    const a = verifyAnswer(
      review({ uid: 'u', allowed: true, patchType: 'JSONPatch', patch: b64(ops) }),
      'u',
      'v1',
      true,
    );
    assert.deepEqual(a.patch, ops);
    assert.throws(
      () => verifyAnswer(review({ uid: 'u', allowed: true, patch: b64(ops) }), 'u', 'v1', true),
      /webhook returned response.patch but not response.patchType/,
    );
    assert.throws(
      () => verifyAnswer(review({ uid: 'u', allowed: true, patchType: 'JSONPatch' }), 'u', 'v1', true),
      /webhook returned response.patchType but not response.patch/,
    );
    // A validating webhook's patch is ignored.
    assert.equal(
      verifyAnswer(review({ uid: 'u', allowed: true, patch: b64(ops) }), 'u', 'v1', false).patch,
      undefined,
    );
  });

  it('speaks v1 first, then v1beta1', () => {
    assert.equal(reviewVersionFor(['v1beta1', 'v1']), 'v1beta1');
    assert.equal(reviewVersionFor(['v2', 'v1']), 'v1');
    assert.equal(reviewVersionFor(['v2']), undefined);
  });
});
