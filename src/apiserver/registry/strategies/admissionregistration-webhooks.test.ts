import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import {
  defaultWebhookConfiguration,
  loadMatchConditionCel,
  mutatingWebhookConfigurationStrategy as mutating,
  validatingWebhookConfigurationStrategy as validating,
} from './admissionregistration-webhooks.js';
import type { Strategy } from '../types.js';
import { lines } from './testing.js';

before(() => loadMatchConditionCel());

type Hook = Record<string, unknown>;

const hook = (extra: Hook = {}): Hook => ({
  name: 'check.example.com',
  clientConfig: { url: 'https://webhook.example.com/validate' },
  sideEffects: 'None',
  admissionReviewVersions: ['v1'],
  ...extra,
});

const config = (kind: string, webhooks: Hook[]): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind,
  metadata: { name: 'hooks' },
  webhooks,
});
const vwc = (...webhooks: Hook[]): KubeObject => config('ValidatingWebhookConfiguration', webhooks);
const mwc = (...webhooks: Hook[]): KubeObject => config('MutatingWebhookConfiguration', webhooks);

/** Defaults then validates a copy, as the REST handler does (ObjectMeta is its own concern). */
function errorsOf(strategy: Strategy, o: KubeObject): string[] {
  const copy = structuredClone(o);
  strategy.defaults?.(copy);
  return lines(strategy.validate?.(copy) ?? []);
}

void describe('webhook configuration defaults', () => {
  void test('every webhook of a validating configuration', () => {
    const o = vwc(
      hook({
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      }),
      hook({ name: 'svc.example.com', clientConfig: { service: { namespace: 'ns', name: 'svc' } } }),
    );
    defaultWebhookConfiguration(o, 'validating');
    const [first, second] = o.webhooks as Hook[];
    assert.deepEqual(first, {
      ...hook(),
      rules: [
        { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' },
      ],
      failurePolicy: 'Fail',
      matchPolicy: 'Equivalent',
      namespaceSelector: {},
      objectSelector: {},
      timeoutSeconds: 10,
    });
    assert.deepEqual(second?.clientConfig, { service: { namespace: 'ns', name: 'svc', port: 443 } });
    assert.equal(second?.reinvocationPolicy, undefined);
    // No defaults for the fields v1 requires.
    const bare: Hook = { name: 'bare.example.com' };
    defaultWebhookConfiguration(vwc(bare), 'validating');
    assert.equal(bare.sideEffects, undefined);
    assert.equal(bare.admissionReviewVersions, undefined);
  });

  void test('mutating webhooks also get reinvocationPolicy Never', () => {
    const o = mwc(hook());
    mutating.defaults?.(o);
    assert.equal((o.webhooks as Hook[])[0]?.reinvocationPolicy, 'Never');
  });

  void test('values that are set are kept', () => {
    const set = hook({
      failurePolicy: 'Ignore',
      matchPolicy: 'Exact',
      namespaceSelector: { matchLabels: { a: 'b' } },
      objectSelector: { matchLabels: { c: 'd' } },
      timeoutSeconds: 5,
      reinvocationPolicy: 'IfNeeded',
      rules: [
        { operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope: 'Cluster' },
      ],
      clientConfig: { service: { namespace: 'ns', name: 'svc', port: 8443 } },
    });
    const o = mwc(structuredClone(set));
    mutating.defaults?.(o);
    assert.deepEqual((o.webhooks as Hook[])[0], set);
  });

  void test('a configuration without webhooks is valid', () => {
    assert.deepEqual(errorsOf(validating, { ...vwc(), webhooks: undefined }), []);
    assert.deepEqual(errorsOf(mutating, mwc()), []);
  });
});

void describe('webhook configuration validation', () => {
  const cases: [string, Hook, string[]][] = [
    ['a valid url webhook', hook(), []],
    [
      'a valid service webhook with rules, selectors and match conditions',
      hook({
        clientConfig: { service: { namespace: 'ns', name: 'svc', path: '/validate/pods' }, caBundle: 'Cg==' },
        rules: [
          {
            operations: ['CREATE', 'UPDATE'],
            apiGroups: ['', 'apps'],
            apiVersions: ['v1'],
            resources: ['pods', 'pods/status', 'deployments/*'],
            scope: 'Namespaced',
          },
        ],
        namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
        matchConditions: [
          { name: 'not-kube-system', expression: "request.namespace != 'kube-system'" },
          { name: 'example.com/has-labels', expression: 'has(object.metadata.labels)' },
        ],
      }),
      [],
    ],
    ['name required', hook({ name: '' }), ['webhooks[0].name: Required value']],
    [
      'name fully qualified',
      hook({ name: 'k8s.io' }),
      [
        'webhooks[0].name: Invalid value: "k8s.io": should be a domain with at least three segments separated by dots',
      ],
    ],
    [
      'name a DNS subdomain',
      hook({ name: 'Bad.example.com' }),
      [
        "webhooks[0].name: Invalid value: \"Bad.example.com\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
    [
      'operations, API groups, versions and resources required',
      hook({ rules: [{}] }),
      [
        'webhooks[0].rules[0].operations: Required value',
        'webhooks[0].rules[0].apiGroups: Required value',
        'webhooks[0].rules[0].apiVersions: Required value',
        'webhooks[0].rules[0].resources: Required value',
      ],
    ],
    [
      'unknown operation',
      hook({
        rules: [{ operations: ['CREATE', 'PATCH'], apiGroups: ['a'], apiVersions: ['a'], resources: ['a'] }],
      }),
      [
        'webhooks[0].rules[0].operations[1]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      ],
    ],
    [
      'wildcard operation alone',
      hook({
        rules: [{ operations: ['CREATE', '*'], apiGroups: ['a'], apiVersions: ['a'], resources: ['a'] }],
      }),
      [
        'webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{"CREATE", "*"}: if \'*\' is present, must not specify other operations',
      ],
    ],
    [
      'wildcard API group and version alone, versions non-empty',
      hook({
        rules: [
          { operations: ['*'], apiGroups: ['*', 'apps'], apiVersions: ['v1', '*', ''], resources: ['a'] },
        ],
      }),
      [
        'webhooks[0].rules[0].apiGroups: Invalid value: []string{"*", "apps"}: if \'*\' is present, must not specify other API groups',
        'webhooks[0].rules[0].apiVersions: Invalid value: []string{"v1", "*", ""}: if \'*\' is present, must not specify other API versions',
        'webhooks[0].rules[0].apiVersions[2]: Required value',
      ],
    ],
    [
      'resources: empty names, x/* and */x overlaps',
      hook({
        rules: [
          {
            operations: ['*'],
            apiGroups: ['*'],
            apiVersions: ['*'],
            resources: ['', 'a/*', 'a/x', '*/b', 'y/b'],
          },
        ],
      }),
      [
        'webhooks[0].rules[0].resources[0]: Required value',
        'webhooks[0].rules[0].resources[2]: Invalid value: "a/x": if \'a/*\' is present, must not specify a/x',
        'webhooks[0].rules[0].resources[4]: Invalid value: "y/b": if \'*/b\' is present, must not specify y/b',
      ],
    ],
    [
      '*/* alone',
      hook({ rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*', 'a'] }] }),
      [
        'webhooks[0].rules[0].resources: Invalid value: []string{"*/*", "a"}: if \'*/*\' is present, must not specify other resources',
      ],
    ],
    [
      '* with resources without subresources',
      hook({ rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*', 'a'] }] }),
      [
        'webhooks[0].rules[0].resources: Invalid value: []string{"*", "a"}: if \'*\' is present, must not specify other resources without subresources',
      ],
    ],
    [
      '* with subresources is fine',
      hook({
        rules: [
          { operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*', 'a/b', 'a/*', '*/b'] },
        ],
      }),
      [],
    ],
    [
      'scope',
      hook({
        rules: [
          { operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], scope: 'Global' },
        ],
      }),
      [
        'webhooks[0].rules[0].scope: Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"',
      ],
    ],
    [
      'failure and match policies',
      hook({ failurePolicy: 'other', matchPolicy: 'Loose' }),
      [
        'webhooks[0].failurePolicy: Unsupported value: "other": supported values: "Fail", "Ignore"',
        'webhooks[0].matchPolicy: Unsupported value: "Loose": supported values: "Equivalent", "Exact"',
      ],
    ],
    [
      'sideEffects required',
      hook({ sideEffects: undefined }),
      ['webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun'],
    ],
    [
      'sideEffects None or NoneOnDryRun in v1',
      hook({ sideEffects: 'Some' }),
      ['webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"'],
    ],
    [
      'timeout too long',
      hook({ timeoutSeconds: 31 }),
      ['webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds'],
    ],
    [
      'timeout too short',
      hook({ timeoutSeconds: 0 }),
      ['webhooks[0].timeoutSeconds: Invalid value: 0: the timeout value must be between 1 and 30 seconds'],
    ],
    [
      'label selectors',
      hook({
        namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In' }] },
        objectSelector: { matchLabels: { 'bad key!': 'x' } },
      }),
      [
        "webhooks[0].namespaceSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        "webhooks[0].objectSelector.matchLabels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    ],
    [
      'neither url nor service',
      hook({ clientConfig: {} }),
      ['webhooks[0].clientConfig: Required value: exactly one of url or service is required'],
    ],
    [
      'no clientConfig at all',
      hook({ clientConfig: undefined }),
      ['webhooks[0].clientConfig: Required value: exactly one of url or service is required'],
    ],
    [
      'both url and service',
      hook({ clientConfig: { url: 'https://a.example.com', service: { namespace: 'ns', name: 'n' } } }),
      ['webhooks[0].clientConfig: Required value: exactly one of url or service is required'],
    ],
    [
      'blank url',
      hook({ clientConfig: { url: '' } }),
      [
        'webhooks[0].clientConfig.url: Invalid value: "": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
        'webhooks[0].clientConfig.url: Invalid value: "": host must be specified; desired format: https://host[/path]',
      ],
    ],
    [
      'url must be https',
      hook({ clientConfig: { url: 'http://example.com' } }),
      [
        'webhooks[0].clientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
      ],
    ],
    [
      'url needs a host',
      hook({ clientConfig: { url: 'https:///fancy/webhook' } }),
      [
        'webhooks[0].clientConfig.url: Invalid value: "": host must be specified; desired format: https://host[/path]',
      ],
    ],
    [
      'url without user, fragment or query',
      hook({ clientConfig: { url: 'https://harry.potter@example.com/?arg=value#bookmark' } }),
      [
        'webhooks[0].clientConfig.url: Invalid value: "harry.potter": user information is not permitted in the URL',
        'webhooks[0].clientConfig.url: Invalid value: "bookmark": fragments are not permitted in the URL',
        'webhooks[0].clientConfig.url: Invalid value: "arg=value": query parameters are not permitted in the URL',
      ],
    ],
    [
      'service name and namespace required',
      hook({ clientConfig: { service: {} } }),
      [
        'webhooks[0].clientConfig.service.name: Required value: service name is required',
        'webhooks[0].clientConfig.service.namespace: Required value: service namespace is required',
      ],
    ],
    [
      'service port in range',
      hook({ clientConfig: { service: { namespace: 'ns', name: 'n', port: 65536 } } }),
      [
        'webhooks[0].clientConfig.service.port: Invalid value: 65536: port is not valid: must be between 1 and 65535, inclusive',
      ],
    ],
    [
      'service path starts with a slash',
      hook({ clientConfig: { service: { namespace: 'ns', name: 'n', path: 'foo/' } } }),
      ['webhooks[0].clientConfig.service.path: Invalid value: "foo/": must start with a \'/\''],
    ],
    [
      'service path without empty segments',
      hook({ clientConfig: { service: { namespace: 'ns', name: 'n', path: '/foo//bar/' } } }),
      ['webhooks[0].clientConfig.service.path: Invalid value: "/foo//bar/": segment[1] may not be empty'],
    ],
    [
      'service path segments are subdomains',
      hook({
        clientConfig: { service: { namespace: 'ns', name: 'n', path: '/apis/foo.bar/v1alpha1/--bad' } },
      }),
      [
        "webhooks[0].clientConfig.service.path: Invalid value: \"/apis/foo.bar/v1alpha1/--bad\": segment[3]: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ],
    ],
    [
      'admissionReviewVersions required',
      hook({ admissionReviewVersions: [] }),
      ['webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1'],
    ],
    [
      'admissionReviewVersions absent',
      hook({ admissionReviewVersions: undefined }),
      ['webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1'],
    ],
    [
      'admissionReviewVersions: a known one, no duplicates, DNS labels',
      hook({ admissionReviewVersions: ['v2', 'v2', '0v'] }),
      [
        'webhooks[0].admissionReviewVersions[1]: Invalid value: "v2": duplicate version',
        "webhooks[0].admissionReviewVersions[2]: Invalid value: \"0v\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        'webhooks[0].admissionReviewVersions: Invalid value: []string{"v2", "v2", "0v"}: must include at least one of v1, v1beta1',
      ],
    ],
    [
      'a known version among unknown ones is enough',
      hook({ admissionReviewVersions: ['v1beta1', 'invalid-version'] }),
      [],
    ],
    [
      'match condition name and expression required',
      hook({ matchConditions: [{}, { name: '', expression: '   ' }] }),
      [
        'webhooks[0].matchConditions[0].expression: Required value',
        'webhooks[0].matchConditions[0].name: Required value',
        'webhooks[0].matchConditions[1].expression: Required value',
        'webhooks[0].matchConditions[1].name: Required value',
      ],
    ],
    [
      'match condition names are qualified names',
      hook({ matchConditions: [{ name: '-hello', expression: 'true' }] }),
      [
        "webhooks[0].matchConditions[0].name: Invalid value: \"-hello\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ],
    ],
    [
      'match condition names unique within a webhook',
      hook({
        matchConditions: [
          { name: 'one', expression: 'true' },
          { name: 'one', expression: 'true' },
        ],
      }),
      ['webhooks[0].matchConditions[1].name: Duplicate value: "one"'],
    ],
    [
      'match condition expression must compile (trimmed)',
      hook({ matchConditions: [{ name: 'one', expression: ' object.x in [1, 2, ' }] }),
      [
        'webhooks[0].matchConditions[0].expression: Invalid value: "object.x in [1, 2,": compilation failed: Unexpected token: EOF',
      ],
    ],
    [
      'match condition expression must be a bool',
      hook({ matchConditions: [{ name: 'one', expression: '6' }] }),
      ['webhooks[0].matchConditions[0].expression: Invalid value: "6": must evaluate to bool'],
    ],
    [
      'match condition variables are declared',
      hook({ matchConditions: [{ name: 'one', expression: 'params.x == 1' }] }),
      [
        "webhooks[0].matchConditions[0].expression: Invalid value: \"params.x == 1\": compilation failed: undeclared reference to 'params' (in container '')",
      ],
    ],
    [
      'at most 64 match conditions',
      hook({
        matchConditions: Array.from({ length: 65 }, (_, i) => ({ name: `c${i}`, expression: 'true' })),
      }),
      ['webhooks[0].matchConditions: Too many: 65: must have at most 64 items'],
    ],
  ];
  for (const [name, h, want] of cases) {
    void test(name, () => {
      assert.deepEqual(errorsOf(validating, vwc(h)), want);
      assert.deepEqual(errorsOf(mutating, mwc(h)), want);
    });
  }

  void test('webhook names are unique within a configuration', () => {
    const o = vwc(hook(), hook({ name: 'other.example.com' }), hook());
    assert.deepEqual(errorsOf(validating, o), ['webhooks[2].name: Duplicate value: "check.example.com"']);
  });

  void test('reinvocationPolicy of mutating webhooks', () => {
    assert.deepEqual(errorsOf(mutating, mwc(hook({ reinvocationPolicy: 'Always' }))), [
      'webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"',
    ]);
    assert.deepEqual(errorsOf(mutating, mwc(hook({ reinvocationPolicy: 'IfNeeded' }))), []);
  });

  void test('errors of several webhooks in order, admission review versions after the rest', () => {
    const o = vwc(hook({ name: 'x', admissionReviewVersions: [] }), hook({ timeoutSeconds: 60 }));
    assert.deepEqual(errorsOf(validating, o), [
      'webhooks[0].name: Invalid value: "x": should be a domain with at least three segments separated by dots',
      'webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1',
      'webhooks[1].timeoutSeconds: Invalid value: 60: the timeout value must be between 1 and 30 seconds',
    ]);
  });
});
