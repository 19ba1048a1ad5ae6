import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { affinityForNode } from '../../../controllers/daemonset/pods.js';
import { SAMPLE_POD_SPEC } from '../../protobuf/testing/sample-pod-spec.js';
import { validateAffinity } from './affinity-validation.js';
import { daemonSetStrategy } from './daemonset.js';
import { deploymentStrategy } from './deployment.js';
import { jobStrategy } from './job.js';
import { podStrategy, podTemplateStrategy } from './pod.js';
import { create, deploymentOf, lines, update } from './testing.js';

const pod = (affinity: unknown, labels: Record<string, string> = { app: 'web' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', labels },
  spec: { containers: [{ name: 'web', image: 'nginx:1.25' }], affinity },
});

/** kubectl's `field: message` lines for a Pod created with this affinity. */
const podErrors = (affinity: unknown, labels?: Record<string, string>): string[] =>
  lines(create(podStrategy, pod(affinity, labels)).errors);

const deployment = (affinity: unknown): KubeObject =>
  deploymentOf({ containers: [{ name: 'web', image: 'nginx:1.25' }], affinity });

const QUALIFIED_NAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const DNS_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const NA = 'spec.affinity.nodeAffinity';
const REQ = `${NA}.requiredDuringSchedulingIgnoredDuringExecution`;
const PREF = `${NA}.preferredDuringSchedulingIgnoredDuringExecution`;
const PA = 'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution';
const PAP = 'spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution';
const PAA = 'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution';
const PAAP = 'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution';

const required = (...terms: unknown[]) => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
});
const expr = (key: string, operator: unknown, values?: unknown[]) => ({
  matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
});
const fields = (key: string, operator: unknown, values?: unknown[]) => ({
  matchFields: [{ key, operator, ...(values ? { values } : {}) }],
});
const podAffinity = (term: Record<string, unknown>) => ({
  podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] },
});
const byApp = { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' };

void describe('node affinity', () => {
  void test('a required node selector needs at least one term', () => {
    const want = [`${REQ}.nodeSelectorTerms: Required value: must have at least one node selector term`];
    assert.deepEqual(
      podErrors({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } }),
      want,
    );
    assert.deepEqual(podErrors(required()), want);
    // An unset (null) required selector is fine, as is an empty nodeAffinity.
    assert.deepEqual(
      podErrors({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: null } }),
      [],
    );
    assert.deepEqual(podErrors({ nodeAffinity: {} }), []);
  });

  void test('matchExpressions: values by operator', () => {
    const at = `${REQ}.nodeSelectorTerms[0].matchExpressions[0]`;
    for (const op of ['In', 'NotIn']) {
      assert.deepEqual(podErrors(required(expr('zone', op))), [
        `${at}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
      ]);
      assert.deepEqual(podErrors(required(expr('zone', op, []))), [
        `${at}.values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
      ]);
    }
    for (const op of ['Exists', 'DoesNotExist']) {
      assert.deepEqual(podErrors(required(expr('zone', op, ['a']))), [
        `${at}.values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
      ]);
    }
    assert.deepEqual(podErrors(required(expr('gen', 'Gt', ['1', '2']))), [
      `${at}.values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`,
    ]);
    assert.deepEqual(podErrors(required(expr('gen', 'Lt'))), [
      `${at}.values: Required value: must be specified single value when \`operator\` is 'Lt' or 'Gt'`,
    ]);
    assert.deepEqual(podErrors(required(expr('zone', 'Equals', ['a']))), [
      `${at}.operator: Invalid value: "Equals": not a valid selector operator`,
    ]);
    assert.deepEqual(podErrors(required({ matchExpressions: [{ key: 'zone', values: ['a'] }] })), [
      `${at}.operator: Invalid value: "": not a valid selector operator`,
    ]);
  });

  void test('matchExpressions: the key is a qualified name; values are not format-checked (as 1.32)', () => {
    const at = `${REQ}.nodeSelectorTerms[0].matchExpressions[0]`;
    assert.deepEqual(podErrors(required(expr('bad key', 'Exists'))), [
      `${at}.key: Invalid value: "bad key": ${QUALIFIED_NAME}`,
    ]);
    assert.deepEqual(podErrors(required(expr('', 'Exists'))), [
      `${at}.key: Invalid value: "": name part must be non-empty`,
      `${at}.key: Invalid value: "": ${QUALIFIED_NAME}`,
    ]);
    assert.deepEqual(podErrors(required(expr('zone', 'In', ['not a label value', 'x'.repeat(70)]))), []);
    assert.deepEqual(podErrors(required(expr('gen', 'Gt', ['not-a-number']))), []);
  });

  void test('matchFields: only metadata.name, one In/NotIn value that is a node name', () => {
    const at = `${REQ}.nodeSelectorTerms[0].matchFields[0]`;
    assert.deepEqual(podErrors(required(fields('metadata.labels', 'In', ['a']))), [
      `${at}.key: Invalid value: "metadata.labels": not a valid field selector key`,
    ]);
    assert.deepEqual(podErrors(required(fields('metadata.name', 'In', ['a', 'b']))), [
      `${at}.values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
    ]);
    assert.deepEqual(podErrors(required(fields('metadata.name', 'NotIn'))), [
      `${at}.values: Required value: must be only one value when \`operator\` is 'In' or 'NotIn' for node field selector`,
    ]);
    assert.deepEqual(podErrors(required(fields('metadata.name', 'Exists'))), [
      `${at}.operator: Invalid value: "Exists": not a valid selector operator`,
    ]);
    assert.deepEqual(podErrors(required(fields('metadata.name', 'In', ['Node_1']))), [
      `${at}.values[0]: Invalid value: "Node_1": ${DNS_SUBDOMAIN}`,
    ]);
  });

  void test('every term and requirement is checked, with its own index', () => {
    assert.deepEqual(
      podErrors(
        required(
          {
            matchExpressions: [
              { key: 'zone', operator: 'In', values: ['a'] },
              { key: 'disk', operator: 'In' },
            ],
          },
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] },
          { matchFields: [{ key: 'spec.unschedulable', operator: 'In', values: ['true'] }] },
        ),
      ),
      [
        `${REQ}.nodeSelectorTerms[0].matchExpressions[1].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
        `${REQ}.nodeSelectorTerms[2].matchFields[0].key: Invalid value: "spec.unschedulable": not a valid field selector key`,
      ],
    );
  });

  void test('preferred terms: weight 1..100 and a valid preference', () => {
    const preferred = (...terms: unknown[]) => ({
      nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: terms },
    });
    const zoneA = expr('zone', 'In', ['a']);
    assert.deepEqual(podErrors(preferred({ weight: 0, preference: zoneA })), [
      `${PREF}[0].weight: Invalid value: 0: must be in the range 1-100`,
    ]);
    assert.deepEqual(
      podErrors(preferred({ weight: 1, preference: zoneA }, { weight: 101, preference: zoneA })),
      [`${PREF}[1].weight: Invalid value: 101: must be in the range 1-100`],
    );
    assert.deepEqual(podErrors(preferred({ weight: -5, preference: zoneA })), [
      `${PREF}[0].weight: Invalid value: -5: must be in the range 1-100`,
    ]);
    // A missing weight is Go's zero value.
    assert.deepEqual(podErrors(preferred({ preference: zoneA })), [
      `${PREF}[0].weight: Invalid value: 0: must be in the range 1-100`,
    ]);
    assert.deepEqual(podErrors(preferred({ weight: 100, preference: expr('zone', 'Exists', ['a']) })), [
      `${PREF}[0].preference.matchExpressions[0].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
    ]);
    assert.deepEqual(podErrors(preferred({ weight: 5, preference: fields('metadata.uid', 'In', ['x']) })), [
      `${PREF}[0].preference.matchFields[0].key: Invalid value: "metadata.uid": not a valid field selector key`,
    ]);
    // An empty preference is valid (it matches nothing), and an empty list is nothing to check.
    assert.deepEqual(podErrors(preferred({ weight: 5, preference: {} })), []);
    assert.deepEqual(podErrors(preferred()), []);
  });
});

void describe('pod affinity and anti-affinity terms', () => {
  void test('topologyKey is required and a qualified name', () => {
    assert.deepEqual(podErrors(podAffinity({ labelSelector: { matchLabels: { app: 'db' } } })), [
      `${PA}[0].topologyKey: Required value: can not be empty`,
      `${PA}[0].topologyKey: Invalid value: "": name part must be non-empty`,
      `${PA}[0].topologyKey: Invalid value: "": ${QUALIFIED_NAME}`,
    ]);
    assert.deepEqual(podErrors(podAffinity({ ...byApp, topologyKey: 'example.com/a/b' })), [
      `${PA}[0].topologyKey: Invalid value: "example.com/a/b": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ]);
    assert.deepEqual(podErrors(podAffinity({ ...byApp, topologyKey: 'Zone_/x' })), [
      `${PA}[0].topologyKey: Invalid value: "Zone_/x": prefix part ${DNS_SUBDOMAIN}`,
    ]);
  });

  void test('labelSelector and namespaceSelector are label selectors', () => {
    assert.deepEqual(
      podErrors(
        podAffinity({
          topologyKey: 'zone',
          labelSelector: {
            matchLabels: { 'bad key': 'web' },
            matchExpressions: [
              { key: 'tier', operator: 'In' },
              { key: 'tier', operator: 'Exists', values: ['x'] },
              { key: 'tier', operator: 'Gt', values: ['1'] },
              { key: 'tier', operator: 'NotIn', values: ['bad value'] },
            ],
          },
          namespaceSelector: { matchLabels: { team: 'bad value' } },
        }),
      ),
      [
        `${PA}[0].labelSelector.matchLabels: Invalid value: "bad key": ${QUALIFIED_NAME}`,
        `${PA}[0].labelSelector.matchExpressions[0].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`,
        `${PA}[0].labelSelector.matchExpressions[1].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`,
        `${PA}[0].labelSelector.matchExpressions[2].operator: Invalid value: "Gt": not a valid selector operator`,
        `${PA}[0].labelSelector.matchExpressions[3].values[0]: Invalid value: "bad value": ${LABEL_VALUE}`,
        `${PA}[0].namespaceSelector.matchLabels: Invalid value: "bad value": ${LABEL_VALUE}`,
      ],
    );
  });

  void test('namespaces are DNS labels, reported at `namespace` without an index (as upstream)', () => {
    assert.deepEqual(podErrors(podAffinity({ ...byApp, namespaces: ['default', 'Bad_NS', 'a.b'] })), [
      `${PA}[0].namespace: Invalid value: "Bad_NS": ${DNS_LABEL}`,
      `${PA}[0].namespace: Invalid value: "a.b": must not contain dots`,
    ]);
  });

  void test('weighted terms: weight 1..100, the term under podAffinityTerm', () => {
    const weighted = (kind: string, weight: unknown, term: Record<string, unknown>) => ({
      [kind]: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: term }] },
    });
    assert.deepEqual(podErrors(weighted('podAffinity', 0, byApp)), [
      `${PAP}[0].weight: Invalid value: 0: must be in the range 1-100`,
    ]);
    assert.deepEqual(podErrors(weighted('podAntiAffinity', 101, { ...byApp, topologyKey: '' })), [
      `${PAAP}[0].weight: Invalid value: 101: must be in the range 1-100`,
      `${PAAP}[0].podAffinityTerm.topologyKey: Required value: can not be empty`,
      `${PAAP}[0].podAffinityTerm.topologyKey: Invalid value: "": name part must be non-empty`,
      `${PAAP}[0].podAffinityTerm.topologyKey: Invalid value: "": ${QUALIFIED_NAME}`,
    ]);
    assert.deepEqual(
      podErrors({
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [byApp, { ...byApp, namespaces: ['UP'] }],
        },
      }),
      [`${PAA}[1].namespace: Invalid value: "UP": ${DNS_LABEL}`],
    );
  });

  void test('matchLabelKeys and mismatchLabelKeys need a labelSelector and valid label names', () => {
    assert.deepEqual(
      podErrors(podAffinity({ topologyKey: 'zone', matchLabelKeys: ['app'], mismatchLabelKeys: ['tenant'] })),
      [
        `${PA}[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
        `${PA}[0].mismatchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
      ],
    );
    assert.deepEqual(
      podErrors(podAffinity({ ...byApp, matchLabelKeys: ['ok', 'bad key'], mismatchLabelKeys: ['-x'] })),
      [
        `${PA}[0].matchLabelKeys[1]: Invalid value: "bad key": ${QUALIFIED_NAME}`,
        `${PA}[0].mismatchLabelKeys[0]: Invalid value: "-x": ${QUALIFIED_NAME}`,
      ],
    );
  });

  void test('a key may not be in both matchLabelKeys and mismatchLabelKeys', () => {
    assert.deepEqual(
      podErrors(
        podAffinity({ ...byApp, matchLabelKeys: ['a', 'tenant'], mismatchLabelKeys: ['tenant'] }),
        {},
      ),
      [
        `${PA}[0].matchLabelKeys[1]: Invalid value: "tenant": exists in both matchLabelKeys and mismatchLabelKeys`,
      ],
    );
  });

  void test('a matchLabelKeys key already in the labelSelector is refused once merged (pods only)', () => {
    const term = {
      labelSelector: { matchLabels: { app: 'web' } },
      topologyKey: 'zone',
      matchLabelKeys: ['tenant', 'app'],
    };
    // The pod's labels turn `app` into a matchExpressions entry beside matchLabels.app; upstream reports it
    // at the term's path indexed by the key's position.
    assert.deepEqual(podErrors(podAffinity(term), { app: 'web', tenant: 't1' }), [
      `${PA}[0][1]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
    ]);
    assert.deepEqual(
      podErrors(
        {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term }],
          },
        },
        { app: 'web' },
      ),
      [
        `${PAAP}[0].podAffinityTerm[1]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
      ],
    );
    // Without the label there is nothing to merge, and templates are not merged at all.
    assert.deepEqual(podErrors(podAffinity(term), { tenant: 't1' }), []);
    assert.deepEqual(lines(create(deploymentStrategy, deployment(podAffinity(term))).errors), []);
    // mismatchLabelKeys may name a selector key.
    assert.deepEqual(
      podErrors(podAffinity({ ...byApp, matchLabelKeys: undefined, mismatchLabelKeys: ['app'] }), {
        app: 'web',
      }),
      [],
    );
  });

  void test('pod create merges matchLabelKeys (In) and mismatchLabelKeys (NotIn) into the labelSelector', () => {
    const term = {
      labelSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      topologyKey: 'kubernetes.io/hostname',
      matchLabelKeys: ['pod-template-hash', 'missing'],
      mismatchLabelKeys: ['tenant'],
    };
    const affinity = {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term }],
      },
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term, { topologyKey: 'zone' }] },
    };
    const { obj, errors } = create(
      podStrategy,
      pod(affinity, { app: 'web', 'pod-template-hash': '5d4f8', tenant: 'acme' }),
    );
    assert.deepEqual(errors, []);
    const want = [
      { key: 'tier', operator: 'Exists' },
      { key: 'pod-template-hash', operator: 'In', values: ['5d4f8'] },
      { key: 'tenant', operator: 'NotIn', values: ['acme'] },
    ];
    const a = (obj.spec as any).affinity;
    assert.deepEqual(
      a.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector
        .matchExpressions,
      want,
    );
    assert.deepEqual(a.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector, {
      matchLabels: { app: 'web' },
      matchExpressions: want,
    });
    // A term without a labelSelector is left alone.
    assert.deepEqual(a.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[1], {
      topologyKey: 'zone',
    });
  });

  void test('pod templates: the same rules at the template path', () => {
    const t = 'spec.template.spec.affinity';
    assert.deepEqual(lines(create(deploymentStrategy, deployment(required())).errors), [
      `${t}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term`,
    ]);
    const podTemplate: KubeObject = {
      apiVersion: 'v1',
      kind: 'PodTemplate',
      metadata: { name: 't', namespace: 'default' },
      template: {
        spec: {
          containers: [{ name: 'c', image: 'nginx' }],
          affinity: podAffinity({ topologyKey: 'zone', matchLabelKeys: ['a'] }),
        },
      },
    };
    assert.deepEqual(lines(create(podTemplateStrategy, podTemplate).errors), [
      'template.spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set',
    ]);
  });

  void test('pod updates validate the affinity again', () => {
    const old = create(podStrategy, pod(podAffinity(byApp))).obj;
    old.metadata = { ...old.metadata, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' };
    assert.deepEqual(lines(update(podStrategy, structuredClone(old), old).errors), []);
    const changed = structuredClone(old);
    (changed.spec as any).affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey =
      '';
    const errs = lines(update(podStrategy, changed, old).errors);
    assert.deepEqual(errs.slice(0, 3), [
      `${PA}[0].topologyKey: Required value: can not be empty`,
      `${PA}[0].topologyKey: Invalid value: "": name part must be non-empty`,
      `${PA}[0].topologyKey: Invalid value: "": ${QUALIFIED_NAME}`,
    ]);
  });
});

void describe('valid affinities', () => {
  const valid: [string, unknown][] = [
    ['unset', undefined],
    ['null', null],
    ['empty', {}],
    [
      'scheduler node-affinity plugin: required In',
      required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }),
    ],
    [
      'scheduler node-affinity plugin: preferred In and Exists',
      {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
            },
            { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
          ],
        },
      },
    ],
    ['DaemonSet pods: matchFields metadata.name In [node]', affinityForNode(undefined, 'node-1.example.com')],
    [
      'every operator',
      required(
        {
          matchExpressions: [
            { key: 'a', operator: 'In', values: ['1'] },
            { key: 'b', operator: 'NotIn', values: ['1', '2'] },
            { key: 'c', operator: 'Exists' },
            { key: 'd', operator: 'DoesNotExist', values: [] },
            { key: 'e', operator: 'Gt', values: ['10'] },
            { key: 'example.com/f', operator: 'Lt', values: ['10'] },
          ],
        },
        { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] },
      ),
    ],
    [
      'inter-pod-affinity plugin: required affinity and anti-affinity, namespaceSelector {}',
      {
        podAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone' },
          ],
        },
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              labelSelector: { matchLabels: { app: 'solo' } },
              topologyKey: 'kubernetes.io/hostname',
              namespaceSelector: {},
            },
          ],
        },
      },
    ],
    [
      'inter-pod-affinity plugin: preferred affinity and anti-affinity',
      {
        podAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 50,
              podAffinityTerm: { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' },
            },
          ],
        },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: { labelSelector: { matchLabels: { app: 'noisy' } }, topologyKey: 'zone' },
            },
          ],
        },
      },
    ],
    [
      'namespaces, an empty labelSelector, and label keys',
      podAffinity({
        labelSelector: {},
        topologyKey: 'topology.kubernetes.io/zone',
        namespaces: ['default', 'kube-system'],
        matchLabelKeys: ['pod-template-hash'],
        mismatchLabelKeys: ['tenant'],
      }),
    ],
    ['protobuf sample pod spec', SAMPLE_POD_SPEC.affinity],
  ];
  for (const [name, affinity] of valid) {
    void test(name, () => {
      assert.deepEqual(validateAffinity(affinity, 'spec.affinity'), []);
      assert.deepEqual(podErrors(affinity, { app: 'web', 'pod-template-hash': 'abc' }), []);
      assert.deepEqual(lines(create(deploymentStrategy, deployment(affinity)).errors), []);
    });
  }

  void test('DaemonSet and Job templates with affinity', () => {
    const template = {
      metadata: { labels: { app: 'agent' } },
      spec: {
        containers: [{ name: 'c', image: 'agent:1' }],
        affinity: required({
          matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }],
        }),
      },
    };
    const ds: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template },
    };
    assert.deepEqual(lines(create(daemonSetStrategy, ds).errors), []);
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: 'default' },
      spec: { template: { ...template, spec: { ...template.spec, restartPolicy: 'Never' } } },
    };
    assert.deepEqual(lines(create(jobStrategy, job).errors), []);
  });
});
