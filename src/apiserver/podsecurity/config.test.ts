import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readAdmissionControlConfig } from './config.js';
import { policyName } from './namespace-policy.js';

const dir = mkdtempSync(join(tmpdir(), 'psa-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('an inline PodSecurity configuration: defaults over privileged:latest, exemptions', () => {
  const config = readAdmissionControlConfig(
    file(
      'inline.yaml',
      `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: EventRateLimit
  path: elsewhere.yaml
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: baseline
      enforce-version: v1.30
      warn: restricted
    exemptions:
      usernames: [ci-bot]
      runtimeClasses: [kata]
      namespaces: [kube-system]
`,
    ),
  );
  assert.ok(config);
  assert.equal(policyName(config.defaults.enforce), 'baseline:v1.30');
  assert.equal(policyName(config.defaults.warn), 'restricted:latest');
  assert.equal(policyName(config.defaults.audit), 'privileged:latest');
  assert.deepEqual(config.exemptions, {
    usernames: ['ci-bot'],
    namespaces: ['kube-system'],
    runtimeClasses: ['kata'],
  });
});

test('the configuration in a file of its own, by a path relative to the AdmissionConfiguration', () => {
  file(
    'psa.yaml',
    'apiVersion: pod-security.admission.config.k8s.io/v1beta1\nkind: PodSecurityConfiguration\ndefaults: {enforce: restricted}\n',
  );
  const config = readAdmissionControlConfig(
    file(
      'by-path.json',
      JSON.stringify({
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'AdmissionConfiguration',
        plugins: [{ name: 'PodSecurity', path: 'psa.yaml' }],
      }),
    ),
  );
  assert.equal(config && policyName(config.defaults.enforce), 'restricted:latest');
  // No PodSecurity entry: nothing configured.
  const none = file(
    'none.yaml',
    'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n',
  );
  assert.equal(readAdmissionControlConfig(none), undefined);
});

test('invalid configurations are refused with every error', () => {
  const bad = file(
    'bad.yaml',
    `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults: {enforce: strict, warn-version: "1.2"}
    exemptions:
      namespaces: [Kube_System, a, a]
      usernames: [""]
`,
  );
  assert.throws(
    () => readAdmissionControlConfig(bad),
    (err: Error) =>
      err.message ===
      `${bad}: PodSecurity: defaults.enforce: Invalid value: "strict": must be one of privileged, baseline, restricted; ` +
        'defaults.warn-version: Invalid value: "1.2": must be "latest" or "v1.x"; ' +
        "exemptions.namespaces[0]: Invalid value: \"Kube_System\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'); " +
        'exemptions.namespaces[2]: Duplicate value: "a"; exemptions.usernames[0]: Required value',
  );
  const wrongKind = file('kind.yaml', 'apiVersion: v1\nkind: ConfigMap\n');
  assert.throws(() => readAdmissionControlConfig(wrongKind), /expected kind AdmissionConfiguration/);
});
