import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { SAMPLE_POD_SPEC } from '../../protobuf/testing/sample-pod-spec.js';
import { cronJobStrategy } from './cronjob.js';
import { deploymentStrategy } from './deployment.js';
import { podStrategy } from './pod.js';
import { statefulSetStrategy } from './statefulset.js';
import { create, deploymentOf, lines } from './testing.js';
import { validateTopologySpreadConstraints } from './topology-spread-validation.js';

const pod = (topologySpreadConstraints: unknown): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', 'pod-template-hash': 'abc' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.25' }], topologySpreadConstraints },
});

const podErrors = (...constraints: unknown[]): string[] =>
  lines(create(podStrategy, pod(constraints)).errors);

const zone = {
  maxSkew: 1,
  topologyKey: 'topology.kubernetes.io/zone',
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
};
const T = 'spec.topologySpreadConstraints';

const QUALIFIED_NAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

void describe('topologySpreadConstraints', () => {
  void test('maxSkew must be greater than zero', () => {
    assert.deepEqual(podErrors({ ...zone, maxSkew: 0 }), [
      `${T}[0].maxSkew: Invalid value: 0: must be greater than zero`,
    ]);
    assert.deepEqual(podErrors({ ...zone, maxSkew: -2 }), [
      `${T}[0].maxSkew: Invalid value: -2: must be greater than zero`,
    ]);
    const { maxSkew: _, ...noSkew } = zone;
    assert.deepEqual(podErrors(noSkew), [`${T}[0].maxSkew: Invalid value: 0: must be greater than zero`]);
  });

  void test('topologyKey is required (its format is not checked, as upstream)', () => {
    assert.deepEqual(podErrors({ ...zone, topologyKey: '' }), [
      `${T}[0].topologyKey: Required value: can not be empty`,
    ]);
    const { topologyKey: _, ...noKey } = zone;
    assert.deepEqual(podErrors(noKey), [`${T}[0].topologyKey: Required value: can not be empty`]);
    assert.deepEqual(podErrors({ ...zone, topologyKey: 'not a label key' }), []);
  });

  void test('whenUnsatisfiable is DoNotSchedule or ScheduleAnyway', () => {
    assert.deepEqual(podErrors({ ...zone, whenUnsatisfiable: 'Sometimes' }), [
      `${T}[0].whenUnsatisfiable: Unsupported value: "Sometimes": supported values: "DoNotSchedule", "ScheduleAnyway"`,
    ]);
    const { whenUnsatisfiable: _, ...noAction } = zone;
    assert.deepEqual(podErrors(noAction), [
      `${T}[0].whenUnsatisfiable: Unsupported value: "": supported values: "DoNotSchedule", "ScheduleAnyway"`,
    ]);
  });

  void test('a {topologyKey, whenUnsatisfiable} pair may appear once; each earlier copy is reported', () => {
    const host = { ...zone, topologyKey: 'kubernetes.io/hostname' };
    assert.deepEqual(podErrors(zone, host, { ...zone, maxSkew: 2 }, { ...zone, labelSelector: {} }), [
      `${T}[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{topology.kubernetes.io/zone, DoNotSchedule}"`,
      `${T}[2].{topologyKey, whenUnsatisfiable}: Duplicate value: "{topology.kubernetes.io/zone, DoNotSchedule}"`,
    ]);
    assert.deepEqual(podErrors(zone, { ...zone, whenUnsatisfiable: 'ScheduleAnyway' }), []);
  });

  void test('minDomains: positive, and only with DoNotSchedule', () => {
    assert.deepEqual(podErrors({ ...zone, minDomains: 0 }), [
      `${T}[0].minDomains: Invalid value: 0: must be greater than zero`,
    ]);
    assert.deepEqual(podErrors({ ...zone, whenUnsatisfiable: 'ScheduleAnyway', minDomains: 3 }), [
      `${T}[0].minDomains: Invalid value: 3: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
    ]);
    assert.deepEqual(podErrors({ ...zone, whenUnsatisfiable: 'ScheduleAnyway', minDomains: -1 }), [
      `${T}[0].minDomains: Invalid value: -1: must be greater than zero`,
      `${T}[0].minDomains: Invalid value: -1: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
    ]);
    assert.deepEqual(podErrors({ ...zone, minDomains: 3 }), []);
    assert.deepEqual(podErrors({ ...zone, whenUnsatisfiable: 'ScheduleAnyway', minDomains: null }), []);
  });

  void test('nodeAffinityPolicy and nodeTaintsPolicy are Honor or Ignore', () => {
    assert.deepEqual(podErrors({ ...zone, nodeAffinityPolicy: 'Respect', nodeTaintsPolicy: 'honor' }), [
      `${T}[0].nodeAffinityPolicy: Unsupported value: "Respect": supported values: "Honor", "Ignore"`,
      `${T}[0].nodeTaintsPolicy: Unsupported value: "honor": supported values: "Honor", "Ignore"`,
    ]);
    assert.deepEqual(podErrors({ ...zone, nodeAffinityPolicy: '' }), [
      `${T}[0].nodeAffinityPolicy: Unsupported value: "": supported values: "Honor", "Ignore"`,
    ]);
    assert.deepEqual(podErrors({ ...zone, nodeAffinityPolicy: 'Ignore', nodeTaintsPolicy: 'Honor' }), []);
  });

  void test('matchLabelKeys: valid names, beside a labelSelector that does not name them', () => {
    const { labelSelector: _, ...noSelector } = zone;
    assert.deepEqual(podErrors({ ...noSelector, matchLabelKeys: ['pod-template-hash'] }), [
      `${T}[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
    ]);
    assert.deepEqual(podErrors({ ...noSelector, matchLabelKeys: ['bad key'] }), [
      `${T}[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
      `${T}[0].matchLabelKeys[0]: Invalid value: "bad key": ${QUALIFIED_NAME}`,
    ]);
    assert.deepEqual(
      podErrors({
        ...zone,
        labelSelector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'tier', operator: 'Exists' }],
        },
        matchLabelKeys: ['pod-template-hash', 'app', 'tier', ''],
      }),
      [
        `${T}[0].matchLabelKeys[1]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
        `${T}[0].matchLabelKeys[2]: Invalid value: "tier": exists in both matchLabelKeys and labelSelector`,
        `${T}[0].matchLabelKeys[3]: Invalid value: "": name part must be non-empty`,
        `${T}[0].matchLabelKeys[3]: Invalid value: "": ${QUALIFIED_NAME}`,
      ],
    );
    // A pod's labels are not merged into spread selectors in 1.32: the scheduler applies the keys.
    const { obj } = create(podStrategy, pod([{ ...zone, matchLabelKeys: ['pod-template-hash'] }]));
    assert.deepEqual((obj.spec as any).topologySpreadConstraints[0].labelSelector, zone.labelSelector);
  });

  void test('labelSelector is a valid label selector', () => {
    assert.deepEqual(
      podErrors({
        ...zone,
        labelSelector: {
          matchLabels: { app: 'bad value' },
          matchExpressions: [{ key: 'tier', operator: 'Equals', values: ['a'] }],
        },
      }),
      [
        `${T}[0].labelSelector.matchLabels: Invalid value: "bad value": ${LABEL_VALUE}`,
        `${T}[0].labelSelector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator`,
      ],
    );
  });

  void test('all rules of one constraint, in upstream order', () => {
    assert.deepEqual(
      podErrors(
        {
          maxSkew: 0,
          whenUnsatisfiable: 'ScheduleAnyway',
          minDomains: 0,
          nodeAffinityPolicy: 'x',
          nodeTaintsPolicy: 'y',
          matchLabelKeys: ['k'],
        },
        { maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' },
      ),
      [
        `${T}[0].maxSkew: Invalid value: 0: must be greater than zero`,
        `${T}[0].topologyKey: Required value: can not be empty`,
        `${T}[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "{, ScheduleAnyway}"`,
        `${T}[0].minDomains: Invalid value: 0: must be greater than zero`,
        `${T}[0].minDomains: Invalid value: 0: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
        `${T}[0].nodeAffinityPolicy: Unsupported value: "x": supported values: "Honor", "Ignore"`,
        `${T}[0].nodeTaintsPolicy: Unsupported value: "y": supported values: "Honor", "Ignore"`,
        `${T}[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set`,
        `${T}[1].topologyKey: Required value: can not be empty`,
      ],
    );
  });

  void test('pod templates: the template path', () => {
    const deployment = deploymentOf({
      containers: [{ name: 'web', image: 'nginx:1.25' }],
      topologySpreadConstraints: [{ ...zone, maxSkew: 0 }],
    });
    assert.deepEqual(lines(create(deploymentStrategy, deployment).errors), [
      'spec.template.spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
    ]);
    const cronJob: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'default' },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [{ name: 'job', image: 'busybox' }],
                restartPolicy: 'OnFailure',
                topologySpreadConstraints: [{ ...zone, whenUnsatisfiable: 'Never' }],
              },
            },
          },
        },
      },
    };
    assert.deepEqual(lines(create(cronJobStrategy, cronJob).errors), [
      'spec.jobTemplate.spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Never": supported values: "DoNotSchedule", "ScheduleAnyway"',
    ]);
  });
});

void describe('valid topologySpreadConstraints', () => {
  const valid: [string, unknown[] | undefined | null][] = [
    ['unset', undefined],
    ['null', null],
    ['empty', []],
    [
      'scheduler tests: zone, DoNotSchedule, matchLabels',
      [
        {
          maxSkew: 1,
          topologyKey: 'zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'web' } },
        },
      ],
    ],
    ['scheduler tests: minDomains', [{ ...zone, maxSkew: 2, minDomains: 5 }]],
    ['scheduler tests: ScheduleAnyway', [{ ...zone, whenUnsatisfiable: 'ScheduleAnyway' }]],
    [
      'hostname and zone, both policies, matchLabelKeys',
      [
        {
          ...zone,
          topologyKey: 'kubernetes.io/hostname',
          nodeAffinityPolicy: 'Honor',
          nodeTaintsPolicy: 'Ignore',
        },
        {
          ...zone,
          matchLabelKeys: ['pod-template-hash'],
          nodeAffinityPolicy: 'Ignore',
          nodeTaintsPolicy: 'Honor',
        },
        { ...zone, whenUnsatisfiable: 'ScheduleAnyway' },
      ],
    ],
    [
      'no labelSelector (matches no pods)',
      [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
    ],
    ['protobuf sample pod spec', SAMPLE_POD_SPEC.topologySpreadConstraints],
  ];
  for (const [name, constraints] of valid) {
    void test(name, () => {
      assert.deepEqual(validateTopologySpreadConstraints(constraints, T), []);
      assert.deepEqual(lines(create(podStrategy, pod(constraints)).errors), []);
    });
  }

  void test('StatefulSet template', () => {
    const sts: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: {
            containers: [{ name: 'db', image: 'postgres:16' }],
            topologySpreadConstraints: [
              {
                ...zone,
                labelSelector: { matchLabels: { app: 'db' } },
                matchLabelKeys: ['controller-revision-hash'],
              },
            ],
          },
        },
      },
    };
    assert.deepEqual(lines(create(statefulSetStrategy, sts).errors), []);
  });
});
