import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { apply, updateManagedFields } from './apply.js';
import { computeFieldSet, fromFieldsV1, toFieldsV1 } from './field-set.js';

const gvk = { group: 'apps', version: 'v1', kind: 'Deployment' };
const T0 = '2026-11-22T01:00:00Z';
const T1 = '2026-11-22T02:00:00Z';

function manifest(replicas: number, image = 'nginx:1.27', extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', labels: { app: 'nginx' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image, ...extra }] },
      },
    },
  };
}

/** What the registry adds on create: server-owned metadata and defaults nobody owns. */
function stored(obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  Object.assign(out.metadata ?? {}, {
    uid: 'u1',
    resourceVersion: '1',
    creationTimestamp: T0,
    namespace: 'default',
  });
  return out;
}

function conflictOf(fn: () => unknown): { message: string; causes: unknown } {
  try {
    fn();
  } catch (err) {
    assert.ok(isApiError(err));
    assert.equal(err.code, 409);
    assert.equal(err.reason, 'Conflict');
    return { message: err.message, causes: err.status.details?.causes };
  }
  assert.fail('expected a conflict');
}

void describe('field sets', () => {
  void test('FieldsV1 shape for keyed lists, sets and leaves', () => {
    const obj = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', uid: 'u', labels: { a: 'b' }, finalizers: ['f1'] },
      spec: {
        replicas: 1,
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx', args: ['-x'] }] } },
      },
    };
    const fields = toFieldsV1(computeFieldSet(obj, gvk));
    assert.deepEqual(fields, {
      'f:metadata': { 'f:finalizers': { 'v:"f1"': {} }, 'f:labels': { 'f:a': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': { '.': {}, 'f:args': {}, 'f:image': {}, 'f:name': {} },
            },
          },
        },
      },
    });
    assert.deepEqual(toFieldsV1(fromFieldsV1(fields)), fields);
  });
});

void describe('server-side apply', () => {
  void test('create: the applier owns what it applied', () => {
    const { object, managedFields } = apply(undefined, manifest(2), { manager: 'kubectl', gvk, now: T0 });
    assert.equal((object.spec as any).replicas, 2);
    assert.equal(managedFields.length, 1);
    const entry = managedFields[0];
    assert.deepEqual(
      { ...entry, fieldsV1: undefined },
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T0,
        fieldsType: 'FieldsV1',
        fieldsV1: undefined,
      },
    );
    assert.deepEqual((entry?.fieldsV1 as any)['f:spec']['f:replicas'], {});
    assert.deepEqual(object.metadata?.managedFields, managedFields);
  });

  void test('re-apply by the same manager changes values without conflict', () => {
    const first = apply(undefined, manifest(2), { manager: 'kubectl', gvk, now: T0 });
    const second = apply(stored(first.object), manifest(3, 'nginx:1.28'), {
      manager: 'kubectl',
      gvk,
      now: T1,
    });
    assert.equal((second.object.spec as any).replicas, 3);
    assert.equal((second.object.spec as any).template.spec.containers[0].image, 'nginx:1.28');
    assert.equal(second.managedFields[0]?.time, T1);
    const T2 = '2026-11-22T03:00:00Z';
    const noop = apply(stored(second.object), manifest(3, 'nginx:1.28'), {
      manager: 'kubectl',
      gvk,
      now: T2,
    });
    assert.equal(noop.managedFields[0]?.time, T1, 'an apply that changes nothing keeps the time');
    assert.equal(second.object.metadata?.uid, 'u1');
  });

  void test('conflict with an Update manager, one cause per field, then force takes ownership', () => {
    const created = updateManagedFields(undefined, stored(manifest(1)), {
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    }).object;
    const c = conflictOf(() => apply(created, manifest(5), { manager: 'kubectl', gvk, now: T1 }));
    assert.equal(
      c.message,
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    assert.deepEqual(c.causes, [
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-client-side-apply" using apps/v1',
        field: '.spec.replicas',
      },
    ]);

    const two = conflictOf(() =>
      apply(created, manifest(5, 'nginx:2'), { manager: 'kubectl', gvk, now: T1 }),
    );
    assert.equal(
      two.message,
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
    assert.equal((two.causes as unknown[]).length, 2);

    const forced = apply(created, manifest(5), { manager: 'kubectl', gvk, now: T1, force: true });
    assert.equal((forced.object.spec as any).replicas, 5);
    const csa = forced.managedFields.find((m) => m.manager === 'kubectl-client-side-apply');
    assert.ok(csa);
    assert.equal((csa.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
    // Label selectors are atomic for field ownership.
    assert.deepEqual((csa.fieldsV1 as any)['f:spec']['f:selector'], {});
    // Apply entries sort before Update entries.
    assert.deepEqual(
      forced.managedFields.map((m) => m.operation),
      ['Apply', 'Update'],
    );
  });

  void test('applying the same value another manager owns shares ownership without conflict', () => {
    const created = updateManagedFields(undefined, stored(manifest(1)), {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    }).object;
    const out = apply(created, manifest(1), { manager: 'kubectl', gvk, now: T1 });
    assert.equal(out.managedFields.length, 2);
  });

  void test('conflict between two appliers names the manager without an API version', () => {
    const a = apply(undefined, manifest(1), { manager: 'a', gvk, now: T0 }).object;
    const c = conflictOf(() =>
      apply(
        stored(a),
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx' }, spec: { replicas: 4 } },
        { manager: 'b', gvk, now: T1 },
      ),
    );
    assert.equal(c.message, 'Apply failed with 1 conflict: conflict with "a": .spec.replicas');
  });

  void test('fields the applier stops applying are removed unless someone else owns them', () => {
    const first = apply(
      undefined,
      manifest(1, 'nginx', {
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      }),
      {
        manager: 'kubectl',
        gvk,
        now: T0,
      },
    ).object;
    // Someone else sets a label value of their own; a defaulted field nobody owns is present too.
    const labelled = structuredClone(first);
    (labelled.metadata as any).labels.team = 'x';
    (labelled.spec as any).template.spec.containers[0].imagePullPolicy = 'Always';
    const withLabel = updateManagedFields(first, labelled, {
      manager: 'kubectl-label',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    }).object;
    const next = apply(stored(withLabel), manifest(1, 'nginx', { env: [{ name: 'A', value: '1' }] }), {
      manager: 'kubectl',
      gvk,
      now: T1,
    }).object;
    const c = (next.spec as any).template.spec.containers[0];
    assert.deepEqual(c.env, [{ name: 'A', value: '1' }]);
    assert.equal(c.imagePullPolicy, 'Always');
    assert.deepEqual(next.metadata?.labels, { app: 'nginx', team: 'x' });

    const noLabels = manifest(1, 'nginx', { env: [{ name: 'A', value: '1' }] });
    delete (noLabels.metadata as any).labels;
    const last = apply(stored(next), noLabels, { manager: 'kubectl', gvk, now: T1 }).object;
    assert.deepEqual(last.metadata?.labels, { team: 'x' });
  });

  void test('objects without managedFields are owned by before-first-apply', () => {
    const legacy = stored(manifest(1));
    const c = conflictOf(() => apply(legacy, manifest(2), { manager: 'kubectl', gvk, now: T1 }));
    assert.match(c.message, /conflict with "before-first-apply" using apps\/v1: \.spec\.replicas/);
  });

  void test('keyed lists merge: a container added by another manager is kept', () => {
    const first = apply(undefined, manifest(1), { manager: 'kubectl', gvk, now: T0 }).object;
    const withSidecar = structuredClone(first);
    (withSidecar.spec as any).template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
    const updated = updateManagedFields(first, withSidecar, {
      manager: 'injector',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    }).object;
    const next = apply(stored(updated), manifest(1, 'nginx:2'), { manager: 'kubectl', gvk, now: T1 }).object;
    assert.deepEqual(
      (next.spec as any).template.spec.containers.map((c: any) => `${c.name}=${c.image}`),
      ['nginx=nginx:2', 'sidecar=busybox'],
    );
  });

  void test('does not mutate its inputs; rejects managedFields in the body', () => {
    const live = stored(apply(undefined, manifest(1), { manager: 'kubectl', gvk, now: T0 }).object);
    const before = structuredClone(live);
    const body = manifest(2);
    apply(live, body, { manager: 'kubectl', gvk, now: T1 });
    assert.deepEqual(live, before);
    assert.deepEqual(body, manifest(2));
    const bad = manifest(1);
    (bad.metadata as any).managedFields = [{ manager: 'x' }];
    assert.throws(
      () => apply(live, bad, { manager: 'kubectl', gvk, now: T1 }),
      (e: unknown) => isApiError(e) && e.code === 400,
    );
  });
});

void describe('updateManagedFields', () => {
  void test('create: maps and lists the write added are owned themselves (".")', () => {
    const obj = stored(manifest(2, 'nginx', { ports: [{ containerPort: 80, protocol: 'TCP' }] }));
    (obj.spec as any).strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } };
    const { managedFields } = updateManagedFields(undefined, obj, {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    });
    assert.deepEqual(managedFields[0]?.fieldsV1, {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {} }, 'f:type': {} },
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': {
                  '.': {},
                  'k:{"containerPort":80,"protocol":"TCP"}': {
                    '.': {},
                    'f:containerPort': {},
                    'f:protocol': {},
                  },
                },
              },
            },
          },
        },
      },
    });
  });

  void test('update: a map the write adds is owned; removing it drops ownership', () => {
    const created = updateManagedFields(undefined, stored(manifest(1)), {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    }).object;
    const annotated = structuredClone(created);
    (annotated.metadata as any).annotations = { note: 'x' };
    const a = updateManagedFields(created, annotated, {
      manager: 'kubectl-annotate',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T1,
    });
    const mine = a.managedFields.find((m) => m.manager === 'kubectl-annotate');
    assert.deepEqual(mine?.fieldsV1, { 'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } } });
    const cleared = structuredClone(a.object);
    delete (cleared.metadata as any).annotations;
    const b = updateManagedFields(a.object, cleared, {
      manager: 'kubectl-edit',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T1,
    });
    assert.equal(
      b.managedFields.find((m) => m.manager === 'kubectl-annotate'),
      undefined,
    );
  });

  void test('create: the writer owns every field it set, server metadata excluded', () => {
    const { managedFields } = updateManagedFields(undefined, stored(manifest(1)), {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    });
    assert.equal(managedFields.length, 1);
    const f = managedFields[0]?.fieldsV1 as any;
    assert.deepEqual(Object.keys(f['f:metadata']), ['f:labels']);
    assert.deepEqual(
      f['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:image'],
      {},
    );
  });

  void test('an update moves ownership of changed fields and keeps the time of untouched managers', () => {
    const created = updateManagedFields(undefined, stored(manifest(1)), {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    }).object;
    const scaled = structuredClone(created);
    (scaled.spec as any).replicas = 4;
    const { managedFields } = updateManagedFields(created, scaled, {
      manager: 'kubectl-scale',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T1,
      subresource: undefined,
    });
    const create = managedFields.find((m) => m.manager === 'kubectl-create');
    const scale = managedFields.find((m) => m.manager === 'kubectl-scale');
    assert.equal(create?.time, T0);
    assert.equal((create?.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
    assert.deepEqual(scale?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(scale?.time, T1);
  });

  void test('untouched managers keep their stored FieldsV1; a writer owning all it changed keeps its set', () => {
    const opts = (manager: string, now: string) =>
      ({ manager, operation: 'Update', apiVersion: 'apps/v1', now }) as const;
    const created = updateManagedFields(undefined, stored(manifest(1)), opts('kubectl-create', T0)).object;
    const scaled = structuredClone(created);
    (scaled.spec as any).replicas = 2;
    const first = updateManagedFields(created, scaled, opts('scaler', T1)).object;
    const createEntry = first.metadata?.managedFields?.find((m) => m.manager === 'kubectl-create');
    const again = structuredClone(first);
    (again.spec as any).replicas = 3;
    const second = updateManagedFields(first, again, opts('scaler', T1));
    const kept = second.managedFields.find((m) => m.manager === 'kubectl-create');
    // The same object as stored: never decoded, never encoded again.
    assert.equal(kept?.fieldsV1, createEntry?.fieldsV1);
    assert.deepEqual(second.managedFields.find((m) => m.manager === 'scaler')?.fieldsV1, {
      'f:spec': { 'f:replicas': {} },
    });
    // Every FieldsV1 written is canonical: decoding and encoding it again gives the same thing.
    for (const m of second.managedFields) assert.deepEqual(toFieldsV1(fromFieldsV1(m.fieldsV1)), m.fieldsV1);

    // Taking a field another manager owns still moves it.
    const imaged = structuredClone(second.object);
    (imaged.spec as any).template.spec.containers[0].image = 'nginx:1.28';
    const third = updateManagedFields(second.object, imaged, opts('kubectl-set', T1));
    const creator = third.managedFields.find((m) => m.manager === 'kubectl-create')?.fieldsV1 as any;
    assert.equal(
      creator['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:image'],
      undefined,
    );
    assert.ok(creator['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:name']);
  });

  void test('status subresource writes only record status fields', () => {
    const obj = stored(manifest(1));
    const withStatus = { ...structuredClone(obj), status: { replicas: 1 } };
    const { managedFields } = updateManagedFields(obj, withStatus, {
      manager: 'deployment-controller',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T1,
      subresource: 'status',
    });
    assert.deepEqual(managedFields, [
      {
        manager: 'deployment-controller',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: T1,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { 'f:replicas': {} } },
        subresource: 'status',
      },
    ]);
  });
});

void describe('server-side apply: list keys', () => {
  const pod = { group: '', version: 'v1', kind: 'Pod' };
  const podManifest = (ports: Record<string, unknown>[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'i', ports }] },
  });

  void test('container ports are keyed by containerPort and protocol (defaulting to TCP)', () => {
    const { object, managedFields } = apply(
      undefined,
      podManifest([{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }]),
      {
        manager: 'm',
        gvk: pod,
        now: T0,
      },
    );
    const ports = (managedFields[0]?.fieldsV1 as any)['f:spec']['f:containers']['k:{"name":"c"}']['f:ports'];
    assert.deepEqual(Object.keys(ports), [
      'k:{"containerPort":53,"protocol":"UDP"}',
      'k:{"containerPort":80,"protocol":"TCP"}',
    ]);
    // The registry defaults protocol; re-applying without it still matches the live item.
    const live = structuredClone(object);
    (live.spec as any).containers[0].ports[0].protocol = 'TCP';
    const next = apply(live, podManifest([{ containerPort: 80, name: 'http' }]), {
      manager: 'm',
      gvk: pod,
      now: T1,
    }).object;
    assert.deepEqual((next.spec as any).containers[0].ports, [
      { containerPort: 80, protocol: 'TCP', name: 'http' },
    ]);
  });
});

void describe('updateManagedFields: managedFields sent by the client', () => {
  const base = (): KubeObject =>
    updateManagedFields(undefined, stored(manifest(1)), {
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    }).object;

  void test('non-empty managedFields in the write replace the stored ones (CSA → SSA migration)', () => {
    const old = base();
    const migrated = structuredClone(old);
    const entry = migrated.metadata?.managedFields?.[0];
    assert.ok(entry);
    entry.manager = 'kubectl';
    entry.operation = 'Apply';
    const { managedFields } = updateManagedFields(old, migrated, {
      manager: 'kubectl',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T1,
    });
    assert.deepEqual(
      managedFields.map((m) => `${m.manager}/${m.operation}`),
      ['kubectl/Apply'],
    );
    // The applier now owns replicas: a new apply by it changes them without conflict.
    const next = apply(migrated, manifest(7), { manager: 'kubectl', gvk, now: T1 });
    assert.equal((next.object.spec as any).replicas, 7);
  });

  void test('an empty list keeps the stored entries; [{}] strips them', () => {
    const old = base();
    const emptied = structuredClone(old);
    (emptied.metadata as any).managedFields = [];
    assert.equal(
      updateManagedFields(old, emptied, { manager: 'x', operation: 'Update', apiVersion: 'apps/v1', now: T1 })
        .managedFields.length,
      1,
    );
    const reset = structuredClone(old);
    (reset.metadata as any).managedFields = [{}];
    const out = updateManagedFields(old, reset, {
      manager: 'x',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T1,
    });
    assert.deepEqual(out.managedFields, []);
    assert.equal(out.object.metadata?.managedFields, undefined);
  });
});

void describe('server-side apply: atomic values', () => {
  void test('an atomic list of objects equal up to key order is not a change', () => {
    const pod = { group: '', version: 'v1', kind: 'Pod' };
    const mk = (tol: Record<string, unknown>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { tolerations: [tol], containers: [{ name: 'c', image: 'i' }] },
    });
    const created = updateManagedFields(undefined, stored(mk({ key: 'k', operator: 'Exists' })), {
      manager: 'creator',
      operation: 'Update',
      apiVersion: 'v1',
      now: T0,
    }).object;
    const out = apply(created, mk({ operator: 'Exists', key: 'k' }), {
      manager: 'applier',
      gvk: pod,
      now: T1,
    });
    assert.equal(out.managedFields.length, 2);
    const c = conflictOf(() =>
      apply(created, mk({ operator: 'Exists', key: 'other' }), { manager: 'applier', gvk: pod, now: T1 }),
    );
    assert.equal(
      c.message,
      'Apply failed with 1 conflict: conflict with "creator" using v1: .spec.tolerations',
    );
  });
});

describe('upgrade from client-side apply', () => {
  const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
  /** An object written by `kubectl apply` (client-side): a last-applied annotation and an Update entry. */
  function clientSideApplied(image: string): KubeObject {
    const config = manifest(1, image);
    const live = stored(config);
    live.metadata!.annotations = { [LAST_APPLIED]: JSON.stringify(config) };
    const { object } = updateManagedFields(undefined, live, {
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      apiVersion: 'apps/v1',
      now: T0,
    });
    return object;
  }

  test('kubectl takes over the fields named in last-applied without a conflict', () => {
    const live = clientSideApplied('nginx:1.25');
    const { object } = apply(live, manifest(1, 'nginx:1.26'), { manager: 'kubectl', gvk, now: T1 });
    const containers = (object.spec as any).template.spec.containers;
    assert.equal(containers[0].image, 'nginx:1.26');
  });

  test('other managers still conflict', () => {
    const live = clientSideApplied('nginx:1.25');
    const { message } = conflictOf(() =>
      apply(live, manifest(1, 'nginx:1.26'), { manager: 'my-tool', gvk, now: T1 }),
    );
    assert.match(message, /conflict with "kubectl-client-side-apply"/);
  });

  test('fields outside last-applied still conflict for kubectl', () => {
    const live = clientSideApplied('nginx:1.25');
    const { object: scaled } = updateManagedFields(
      live,
      { ...structuredClone(live), spec: { ...(live.spec as object), minReadySeconds: 5 } },
      {
        manager: 'other',
        operation: 'Update',
        apiVersion: 'apps/v1',
        now: T1,
      },
    );
    const wanted = manifest(1, 'nginx:1.25');
    (wanted.spec as any).minReadySeconds = 9;
    const { message } = conflictOf(() => apply(scaled, wanted, { manager: 'kubectl', gvk, now: T1 }));
    assert.match(message, /conflict with "other".*\.spec\.minReadySeconds/);
  });
});
