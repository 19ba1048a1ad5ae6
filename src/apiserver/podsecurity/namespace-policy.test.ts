import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareLevels, hasPolicyLabels, namespacePolicy, policyName } from './namespace-policy.js';

const P = 'pod-security.kubernetes.io/';

test('unlabelled modes are privileged:latest; labels set level and version per mode', () => {
  const { policy, errors } = namespacePolicy({
    [`${P}enforce`]: 'baseline',
    [`${P}enforce-version`]: 'v1.25',
    [`${P}warn`]: 'restricted',
    team: 'a',
  });
  assert.deepEqual(errors, []);
  assert.equal(policyName(policy.enforce), 'baseline:v1.25');
  assert.equal(policyName(policy.warn), 'restricted:latest');
  assert.equal(policyName(policy.audit), 'privileged:latest');
  assert.equal(hasPolicyLabels({ team: 'a' }), false);
  assert.equal(hasPolicyLabels({ [`${P}audit`]: 'baseline' }), true);
});

test('labels that do not parse: enforce fails closed, warn and audit open, one error each', () => {
  const { policy, errors } = namespacePolicy({
    [`${P}enforce`]: 'Restricted',
    [`${P}warn`]: 'nope',
    [`${P}audit-version`]: 'v2.1',
    [`${P}warn-version`]: 'v1.01',
  });
  assert.equal(policyName(policy.enforce), 'restricted:latest');
  assert.equal(policy.warn.level, 'privileged');
  assert.deepEqual(
    errors.map((e) => `${e.field}: ${e.message}`),
    [
      'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "Restricted": must be one of privileged, baseline, restricted',
      'metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "v2.1": must be "latest" or "v1.x"',
      'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "nope": must be one of privileged, baseline, restricted',
      'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "v1.01": must be "latest" or "v1.x"',
    ],
  );
});

test('levels compare by strictness', () => {
  assert.equal(compareLevels('restricted', 'baseline'), 1);
  assert.equal(compareLevels('privileged', 'baseline'), -1);
  assert.equal(compareLevels('baseline', 'baseline'), 0);
});
