import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../../api/meta.js';
import { aliasesByResource, findAlias } from './index.js';

const TUTORIAL = join(import.meta.dirname, 'testdata', 'tutorial');
const CURRENT = new Set(['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'autoscaling/v2', 'policy/v1']);

function alias(resource: string, apiVersion: string) {
  const found = aliasesByResource[resource]?.find((a) => `${a.group}/${a.version}` === apiVersion);
  assert.ok(found, `${resource} served at ${apiVersion}`);
  return found;
}

/** What makes a workload valid in its current version: a selector that matches the template. */
function assertValidWorkload(obj: KubeObject): void {
  const spec = obj.spec as Record<string, any>;
  const selector = spec.selector as { matchLabels?: Record<string, string> } | undefined;
  assert.ok(selector?.matchLabels && Object.keys(selector.matchLabels).length > 0, 'selector is set');
  const templateLabels = spec.template?.metadata?.labels as Record<string, string>;
  for (const [k, v] of Object.entries(selector.matchLabels))
    assert.equal(templateLabels[k], v, `selector ${k}`);
}

void describe('tutorial manifests', () => {
  const files = readdirSync(TUTORIAL).filter((f) => f.endsWith('.yaml'));
  void test('fixtures are present', () => assert.equal(files.length, 7));

  for (const file of files) {
    void test(`${file} converts to a current-version object`, () => {
      const manifest = parse(readFileSync(join(TUTORIAL, file), 'utf8')) as KubeObject;
      const original = structuredClone(manifest);
      const found = findAlias(manifest.apiVersion ?? '', manifest.kind ?? '');
      const current = found ? found.alias.toCanonical(manifest) : manifest;
      assert.deepEqual(manifest, original, 'the request body is not modified');
      assert.ok(CURRENT.has(current.apiVersion ?? ''), `${file}: ${current.apiVersion} is current`);
      assert.equal(current.kind, original.kind);
      assert.equal(current.metadata?.name, original.metadata?.name);
      if (!found) return;
      assert.match(found.alias.warning ?? '', / is deprecated in v1\.\d+\+, unavailable in v1\.\d+\+; use /);
      if (current.kind === 'Deployment') assertValidWorkload(current);
      if (current.kind === 'CronJob') {
        const jobSpec = (current.spec as any).jobTemplate.spec;
        assert.equal(jobSpec.template.spec.containers[0].image, 'busybox');
      }
    });
  }

  void test('extensions/v1beta1 Deployment: selector and labels from the template, old defaults, warning', () => {
    const manifest = parse(readFileSync(join(TUTORIAL, 'deployment-blue.yaml'), 'utf8')) as KubeObject;
    const a = alias('deployments.apps', 'extensions/v1beta1');
    const dep = a.toCanonical(manifest);
    assert.equal(dep.apiVersion, 'apps/v1');
    assert.deepEqual((dep.spec as any).selector, { matchLabels: { type: 'webserver', color: 'blue' } });
    assert.deepEqual(dep.metadata?.labels, { type: 'webserver', color: 'blue' });
    assert.deepEqual((dep.spec as any).strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 1 },
    });
    assert.equal((dep.spec as any).replicas, 3);
    assert.equal(
      a.warning,
      'extensions/v1beta1 Deployment is deprecated in v1.9+, unavailable in v1.16+; use apps/v1 Deployment',
    );
    const back = a.fromCanonical(dep);
    assert.equal(back.apiVersion, 'extensions/v1beta1');
    assert.equal(back.kind, 'Deployment');
    assert.deepEqual((back.spec as any).template, (manifest.spec as any).template);
  });

  void test('batch/v1beta1 CronJob warning', () => {
    assert.equal(
      alias('cronjobs.batch', 'batch/v1beta1').warning,
      'batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob',
    );
  });
});

void describe('workload aliases', () => {
  const template = {
    metadata: { labels: { app: 'db' } },
    spec: { containers: [{ name: 'db', image: 'postgres' }] },
  };

  void test('apps/v1beta1 Deployment defaults 25% surge, 2 revisions, 600s deadline', () => {
    const dep = alias('deployments.apps', 'apps/v1beta1').toCanonical({
      apiVersion: 'apps/v1beta1',
      kind: 'Deployment',
      metadata: { name: 'd', labels: { own: 'label' } },
      spec: { template },
    });
    const spec = dep.spec as any;
    assert.deepEqual(spec.selector, { matchLabels: { app: 'db' } });
    assert.deepEqual(dep.metadata?.labels, { own: 'label' }, 'existing labels are kept');
    assert.deepEqual(spec.strategy.rollingUpdate, { maxUnavailable: '25%', maxSurge: '25%' });
    assert.equal(spec.revisionHistoryLimit, 2);
    assert.equal(spec.progressDeadlineSeconds, 600);
  });

  void test('apps/v1beta2 keeps a missing selector missing (it was required there)', () => {
    const dep = alias('deployments.apps', 'apps/v1beta2').toCanonical({
      apiVersion: 'apps/v1beta2',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { template },
    });
    assert.equal((dep.spec as any).selector, undefined);
  });

  void test('extensions DaemonSet defaults OnDelete and keeps templateGeneration in an annotation', () => {
    const a = alias('daemonsets.apps', 'extensions/v1beta1');
    const ds = a.toCanonical({
      apiVersion: 'extensions/v1beta1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: { template, templateGeneration: 4 },
    });
    assert.deepEqual((ds.spec as any).updateStrategy, { type: 'OnDelete' });
    assert.equal((ds.spec as any).templateGeneration, undefined);
    assert.equal(ds.metadata?.annotations?.['deprecated.daemonset.template.generation'], '4');
    const back = a.fromCanonical(ds);
    assert.equal((back.spec as any).templateGeneration, 4);
    assert.equal(back.metadata?.annotations, undefined);
  });

  void test('apps/v1beta1 StatefulSet and ReplicaSet get selectors from templates', () => {
    const sts = alias('statefulsets.apps', 'apps/v1beta1').toCanonical({
      apiVersion: 'apps/v1beta1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: { serviceName: 's', template },
    });
    assert.deepEqual((sts.spec as any).selector, { matchLabels: { app: 'db' } });
    assert.equal((sts.spec as any).podManagementPolicy, 'OrderedReady');
    const rs = alias('replicasets.apps', 'extensions/v1beta1').toCanonical({
      apiVersion: 'extensions/v1beta1',
      kind: 'ReplicaSet',
      metadata: { name: 'r' },
      spec: { template },
    });
    assert.deepEqual((rs.spec as any).selector, { matchLabels: { app: 'db' } });
    assert.equal((rs.spec as any).replicas, 1);
  });
});

void describe('ingress', () => {
  const a = alias('ingresses.networking.k8s.io', 'extensions/v1beta1');
  const old: KubeObject = {
    apiVersion: 'extensions/v1beta1',
    kind: 'Ingress',
    metadata: { name: 'web' },
    spec: {
      backend: { serviceName: 'fallback', servicePort: 80 },
      rules: [
        {
          host: 'shop.example.test',
          http: {
            paths: [
              { path: '/', backend: { serviceName: 'web', servicePort: 'http' } },
              { path: '/api', pathType: 'Prefix', backend: { serviceName: 'api', servicePort: 8080 } },
            ],
          },
        },
      ],
    },
  };

  void test('backends, defaultBackend and pathType', () => {
    const ing = a.toCanonical(old);
    assert.equal(ing.apiVersion, 'networking.k8s.io/v1');
    const spec = ing.spec as any;
    assert.deepEqual(spec.defaultBackend, { service: { name: 'fallback', port: { number: 80 } } });
    assert.equal(spec.backend, undefined);
    assert.deepEqual(spec.rules[0].http.paths, [
      {
        path: '/',
        pathType: 'ImplementationSpecific',
        backend: { service: { name: 'web', port: { name: 'http' } } },
      },
      { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } },
    ]);
    assert.equal(
      a.warning,
      'extensions/v1beta1 Ingress is deprecated in v1.14+, unavailable in v1.22+; use networking.k8s.io/v1 Ingress',
    );
  });

  void test('round trip back to v1beta1', () => {
    const back = a.fromCanonical(a.toCanonical(old)) as any;
    assert.equal(back.apiVersion, 'extensions/v1beta1');
    assert.deepEqual(back.spec.backend, { serviceName: 'fallback', servicePort: 80 });
    assert.deepEqual(back.spec.rules[0].http.paths[0].backend, { serviceName: 'web', servicePort: 'http' });
    assert.equal(back.spec.rules[0].http.paths[0].pathType, 'ImplementationSpecific');
  });
});

void describe('policy/v1beta1 PodDisruptionBudget', () => {
  const a = alias('poddisruptionbudgets.policy', 'policy/v1beta1');
  const pdb = (selector: unknown): KubeObject => ({
    apiVersion: 'policy/v1beta1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'p' },
    spec: { minAvailable: 1, selector },
  });

  void test('an empty v1beta1 selector selects nothing, also in v1', () => {
    const v1 = a.toCanonical(pdb({}));
    assert.deepEqual((v1.spec as any).selector, {
      matchExpressions: [
        { key: 'pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match', operator: 'Exists' },
      ],
    });
    assert.deepEqual((a.fromCanonical(v1).spec as any).selector, {});
  });

  void test('an empty v1 selector (all pods) reads back as the v1beta1 match-all marker', () => {
    const v1: KubeObject = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p' },
      spec: { selector: {} },
    };
    const old = a.fromCanonical(v1);
    assert.equal(old.apiVersion, 'policy/v1beta1');
    assert.deepEqual((a.toCanonical(old).spec as any).selector, {});
  });

  void test('ordinary selectors pass through', () => {
    const v1 = a.toCanonical(pdb({ matchLabels: { app: 'web' } }));
    assert.deepEqual((v1.spec as any).selector, { matchLabels: { app: 'web' } });
  });
});

void describe('events.k8s.io/v1 ↔ core/v1', () => {
  const [v1] = aliasesByResource.events ?? [];
  void test('field renames both ways', () => {
    assert.ok(v1);
    assert.equal(v1.warning, undefined);
    const ev: KubeObject = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      eventTime: '2026-01-01T10:00:00.000000Z',
      regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' },
      note: 'Started container web',
      reason: 'Started',
      type: 'Normal',
      action: 'Start',
      reportingController: 'kubelet',
      reportingInstance: 'node-1',
      deprecatedSource: { component: 'kubelet', host: 'node-1' },
      deprecatedCount: 2,
      deprecatedFirstTimestamp: '2026-01-01T10:00:00Z',
      deprecatedLastTimestamp: '2026-01-01T10:05:00Z',
      series: { count: 2, lastObservedTime: '2026-01-01T10:05:00.000000Z' },
    };
    const core = v1.toCanonical(ev);
    assert.deepEqual(core, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      eventTime: '2026-01-01T10:00:00.000000Z',
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' },
      message: 'Started container web',
      reason: 'Started',
      type: 'Normal',
      action: 'Start',
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
      source: { component: 'kubelet', host: 'node-1' },
      count: 2,
      firstTimestamp: '2026-01-01T10:00:00Z',
      lastTimestamp: '2026-01-01T10:05:00Z',
      series: { count: 2, lastObservedTime: '2026-01-01T10:05:00.000000Z' },
    });
    assert.deepEqual(v1.fromCanonical(core), ev);
  });
});
