import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/meta.js';
import { controllerRevisionStrategy } from './controllerrevision.js';
import { daemonSetStrategy, TEMPLATE_GENERATION_ANNOTATION } from './daemonset.js';
import { deploymentStrategy } from './deployment.js';
import { replicaSetStrategy, replicationControllerStrategy } from './replicaset.js';
import { workloadNameValidators } from './index.js';
import { statefulSetStrategy } from './statefulset.js';
import { create, lines, update } from './testing.js';

const template = (labels: Record<string, string> = { app: 'web' }, spec: Record<string, unknown> = {}) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'nginx:1.25' }], ...spec },
});

const workload = (kind: string, spec: Record<string, unknown>, name = 'web'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name, namespace: 'default' },
  spec,
});

const stored = (o: KubeObject): KubeObject => {
  const s = structuredClone(o);
  s.metadata = {
    ...s.metadata,
    uid: 'uid-1',
    resourceVersion: '1',
    creationTimestamp: '2026-01-01T00:00:00Z',
  };
  return s;
};

const MISMATCH = '`selector` does not match template `labels`';

void describe('Deployment', () => {
  const valid = { selector: { matchLabels: { app: 'web' } }, template: template() };

  void test('defaults', () => {
    const { obj, errors } = create(deploymentStrategy, workload('Deployment', valid));
    assert.deepEqual(errors, []);
    const spec = obj.spec as any;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.progressDeadlineSeconds, 600);
    assert.equal(spec.template.spec.restartPolicy, 'Always');
    assert.equal(spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(obj.status, {});
  });

  void test('explicit values are kept', () => {
    const { obj } = create(
      deploymentStrategy,
      workload('Deployment', {
        ...valid,
        replicas: 0,
        strategy: { type: 'Recreate' },
        revisionHistoryLimit: 2,
      }),
    );
    const spec = obj.spec as any;
    assert.equal(spec.replicas, 0);
    assert.deepEqual(spec.strategy, { type: 'Recreate' });
    assert.equal(spec.revisionHistoryLimit, 2);
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    ['missing selector', { template: template() }, ['spec.selector: Required value']],
    [
      'selector does not match',
      { selector: { matchLabels: { app: 'db' } }, template: template() },
      [`spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: ${MISMATCH}`],
    ],
    [
      'empty selector',
      { selector: {}, template: template() },
      ['spec.selector: Invalid value: {}: empty selector is invalid for deployment'],
    ],
    [
      'negative replicas',
      { ...valid, replicas: -1 },
      ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'restartPolicy must be Always',
      { ...valid, template: template({ app: 'web' }, { restartPolicy: 'Never' }) },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'both surge and unavailable zero',
      { ...valid, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } },
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    ],
    [
      'bad percent',
      {
        ...valid,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '110%', maxSurge: 'x' } },
      },
      [
        `spec.strategy.rollingUpdate.maxSurge: Invalid value: x: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 110%: must not be greater than 100%',
      ],
    ],
    [
      'recreate with rollingUpdate',
      { ...valid, strategy: { type: 'Recreate', rollingUpdate: {} } },
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ],
    [
      'progressDeadlineSeconds vs minReadySeconds',
      { ...valid, minReadySeconds: 10, progressDeadlineSeconds: 10 },
      ['spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds'],
    ],
    [
      'template container errors use the full path',
      { ...valid, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } } },
      ['spec.template.spec.containers[0].image: Required value'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () =>
      assert.deepEqual(lines(create(deploymentStrategy, workload('Deployment', spec)).errors), want),
    );
  }

  void test('selector is immutable; status carried over', () => {
    const old = stored(create(deploymentStrategy, workload('Deployment', valid)).obj);
    old.status = { replicas: 1 };
    const next = structuredClone(old);
    (next.spec as any).selector = { matchLabels: { app: 'web', tier: 'fe' } };
    (next.spec as any).template.metadata.labels.tier = 'fe';
    next.status = {};
    const r = update(deploymentStrategy, next, old);
    assert.deepEqual(lines(r.errors), [
      'spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"fe"}}: field is immutable',
    ]);
    assert.deepEqual(r.obj.status, { replicas: 1 });
  });
});

void describe('ReplicaSet / ReplicationController', () => {
  void test('ReplicaSet defaults and validation', () => {
    const { obj, errors } = create(
      replicaSetStrategy,
      workload('ReplicaSet', { selector: { matchLabels: { app: 'web' } }, template: template() }),
    );
    assert.deepEqual(errors, []);
    assert.equal((obj.spec as any).replicas, 1);
    assert.deepEqual(obj.status, { replicas: 0 });
  });

  void test('ReplicaSet activeDeadlineSeconds forbidden', () => {
    const errs = create(
      replicaSetStrategy,
      workload('ReplicaSet', {
        selector: { matchLabels: { app: 'web' } },
        template: template({ app: 'web' }, { activeDeadlineSeconds: 5 }),
      }),
    ).errors;
    assert.deepEqual(lines(errs), [
      'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
    ]);
  });

  void test('ReplicationController selector and labels default from the template', () => {
    const { obj, errors } = create(replicationControllerStrategy, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'rc', namespace: 'default' },
      spec: { template: template({ app: 'rc' }) },
    });
    assert.deepEqual(errors, []);
    assert.deepEqual((obj.spec as any).selector, { app: 'rc' });
    assert.deepEqual(obj.metadata?.labels, { app: 'rc' });
    assert.equal((obj.spec as any).replicas, 1);
  });

  void test('ReplicationController mismatch', () => {
    const errs = create(replicationControllerStrategy, {
      kind: 'ReplicationController',
      metadata: { name: 'rc', namespace: 'default' },
      spec: { selector: { app: 'x' }, template: template({ app: 'rc' }) },
    }).errors;
    assert.deepEqual(lines(errs), [
      `spec.template.metadata.labels: Invalid value: map[string]string{"app":"rc"}: ${MISMATCH}`,
    ]);
  });
});

void describe('StatefulSet', () => {
  const valid = {
    selector: { matchLabels: { app: 'web' } },
    serviceName: 'web',
    template: template(),
    volumeClaimTemplates: [
      {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } },
      },
    ],
  };

  void test('defaults', () => {
    const { obj, errors } = create(statefulSetStrategy, workload('StatefulSet', valid));
    assert.deepEqual(lines(errors), []);
    const spec = obj.spec as any;
    assert.equal(spec.podManagementPolicy, 'OrderedReady');
    assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    assert.equal(spec.replicas, 1);
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(spec.volumeClaimTemplates[0].spec.volumeMode, 'Filesystem');
    assert.equal(spec.volumeClaimTemplates[0].spec.resources.requests.storage, '1Gi');
    assert.deepEqual(spec.volumeClaimTemplates[0].status, { phase: 'Pending' });
  });

  void test('OnDelete gets no rollingUpdate', () => {
    const { obj } = create(
      statefulSetStrategy,
      workload('StatefulSet', { ...valid, updateStrategy: { type: 'OnDelete' } }),
    );
    assert.deepEqual((obj.spec as any).updateStrategy, { type: 'OnDelete' });
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'bad podManagementPolicy',
      { ...valid, podManagementPolicy: 'Random' },
      ["spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"],
    ],
    [
      'claim template without access modes',
      {
        ...valid,
        volumeClaimTemplates: [
          { metadata: { name: 'd' }, spec: { resources: { requests: { storage: '1Gi' } } } },
        ],
      },
      ['spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required'],
    ],
    [
      'empty selector',
      { ...valid, selector: {} },
      ['spec.selector: Invalid value: {}: empty selector is invalid for statefulset'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () =>
      assert.deepEqual(lines(create(statefulSetStrategy, workload('StatefulSet', spec)).errors), want),
    );
  }

  void test('name must be a DNS label', () => {
    assert.deepEqual(workloadNameValidators['statefulsets.apps']?.('web.v1', false), [
      'must not contain dots',
    ]);
  });

  void test('update: replicas and template may change, serviceName may not', () => {
    const old = stored(create(statefulSetStrategy, workload('StatefulSet', valid)).obj);
    const ok = structuredClone(old);
    (ok.spec as any).replicas = 3;
    (ok.spec as any).template.spec.containers[0].image = 'nginx:1.26';
    assert.deepEqual(update(statefulSetStrategy, ok, old).errors, []);
    const bad = structuredClone(old);
    (bad.spec as any).serviceName = 'other';
    assert.deepEqual(lines(update(statefulSetStrategy, bad, old).errors), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});

void describe('DaemonSet', () => {
  const valid = { selector: { matchLabels: { app: 'web' } }, template: template() };

  void test('defaults and template generation', () => {
    const { obj, errors } = create(daemonSetStrategy, workload('DaemonSet', valid));
    assert.deepEqual(errors, []);
    const spec = obj.spec as any;
    assert.deepEqual(spec.updateStrategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.equal(obj.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION], '1');
    const old = stored(obj);
    const same = update(daemonSetStrategy, structuredClone(old), old).obj;
    const undefaulted = structuredClone(old);
    (undefaulted.spec as any).template = template();
    const replaced = update(daemonSetStrategy, undefaulted, old).obj;
    assert.equal(replaced.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION], '1');
    assert.equal(same.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION], '1');
    const changed = structuredClone(old);
    (changed.spec as any).template.spec.containers[0].image = 'nginx:2';
    assert.equal(
      update(daemonSetStrategy, changed, old).obj.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION],
      '2',
    );
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'missing selector',
      { template: template() },
      [`spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: ${MISMATCH}`],
    ],
    [
      'surge and unavailable both set',
      {
        ...valid,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      },
      [
        'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
      ],
    ],
    [
      'both zero',
      {
        ...valid,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } },
      },
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    ],
    [
      'bad strategy type',
      { ...valid, updateStrategy: { type: 'Blue' } },
      ['spec.updateStrategy.type: Unsupported value: "Blue": supported values: "RollingUpdate", "OnDelete"'],
    ],
  ];
  for (const [name, spec, want] of cases) {
    void test(name, () =>
      assert.deepEqual(lines(create(daemonSetStrategy, workload('DaemonSet', spec)).errors), want),
    );
  }
});

void describe('ControllerRevision', () => {
  const cr = (data: unknown, revision = 1): KubeObject => ({
    kind: 'ControllerRevision',
    metadata: { name: 'web-abc', namespace: 'default' },
    data,
    revision,
  });
  void test('valid', () => assert.deepEqual(create(controllerRevisionStrategy, cr({ spec: {} })).errors, []));
  void test('data required, revision non-negative', () => {
    assert.deepEqual(lines(create(controllerRevisionStrategy, cr(undefined, -1)).errors), [
      'data: Required value: data is mandatory',
      'revision: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
  void test('data immutable', () => {
    const old = stored(cr({ a: 1 }));
    const next = { ...structuredClone(old), data: { a: 2 } };
    assert.deepEqual(lines(update(controllerRevisionStrategy, next, old).errors), [
      'data: Invalid value: {"a":2}: field is immutable',
    ]);
  });
});
