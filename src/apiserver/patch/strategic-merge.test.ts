import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import { strategicMerge } from './strategic-merge.js';

type Obj = Record<string, unknown>;

const names = (list: unknown): unknown[] => (list as Obj[]).map((c) => c.name);

function deploy(containers: Obj[], extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', labels: { app: 'nginx' } },
    spec: {
      replicas: 1,
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers, ...extra } },
    },
  };
}

function podSpec(obj: Obj): Obj {
  return ((obj.spec as Obj).template as Obj).spec as Obj;
}

function rejects(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isApiError(err));
    assert.equal(err.code, 400);
    assert.match(err.message, message);
    return true;
  });
}

void describe('strategic merge: maps and scalars', () => {
  void test('objects merge recursively, scalars replace, null deletes', () => {
    const live = { a: { b: 1, c: 2 }, d: 'x', e: true };
    const out = strategicMerge(live, { a: { c: 3, f: 4 }, d: null, e: false }, undefined);
    assert.deepEqual(out, { a: { b: 1, c: 3, f: 4 }, e: false });
    assert.deepEqual(live, { a: { b: 1, c: 2 }, d: 'x', e: true });
  });

  void test('null for a missing key is ignored, nested nulls in new values are dropped', () => {
    assert.deepEqual(strategicMerge({ a: 1 }, { b: null, c: { d: null, e: 1 } }, undefined), {
      a: 1,
      c: { e: 1 },
    });
  });

  void test('kubectl rollout pause / resume / restart and cordon', () => {
    const live = deploy([{ name: 'nginx', image: 'nginx' }]);
    const paused = strategicMerge(live, { spec: { paused: true } }, 'Deployment');
    assert.equal((paused.spec as Obj).paused, true);
    const resumed = strategicMerge(paused, { spec: { paused: null } }, 'Deployment');
    assert.equal('paused' in (resumed.spec as Obj), false);
    const restarted = strategicMerge(
      live,
      {
        spec: {
          template: {
            metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T01:31:28Z' } },
          },
        },
      },
      'Deployment',
    );
    const tmeta = ((restarted.spec as Obj).template as Obj).metadata as Obj;
    assert.deepEqual(tmeta, {
      labels: { app: 'nginx' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T01:31:28Z' },
    });
    const node = { metadata: { name: 'n1' }, spec: { podCIDR: '10.0.0.0/24' } };
    assert.deepEqual(strategicMerge(node, { spec: { unschedulable: true } }, 'Node'), {
      metadata: { name: 'n1' },
      spec: { podCIDR: '10.0.0.0/24', unschedulable: true },
    });
  });

  void test('$patch: replace on a map replaces it; $patch: delete empties it; $patch: merge is refused', () => {
    const live = { spec: { selector: { a: '1', b: '2' } } };
    assert.deepEqual(strategicMerge(live, { spec: { selector: { $patch: 'replace', c: '3' } } }, undefined), {
      spec: { selector: { c: '3' } },
    });
    assert.deepEqual(strategicMerge(live, { spec: { selector: { $patch: 'delete' } } }, undefined), {
      spec: { selector: {} },
    });
    rejects(
      () => strategicMerge(live, { spec: { selector: { $patch: 'merge', c: '3' } } }, undefined),
      /^unknown patch type: merge in map: map\[\$patch:merge c:3\]$/,
    );
    assert.deepEqual(strategicMerge({ a: 1, b: 2 }, { $patch: 'replace', c: 3 }, undefined), { c: 3 });
    rejects(
      () => strategicMerge(live, { spec: { $patch: 'frob' } }, undefined),
      /^unknown patch type: frob in map: map\[\$patch:frob\]$/,
    );
  });

  void test('$retainKeys clears keys not listed (Deployment strategy)', () => {
    const live = deploy([{ name: 'nginx', image: 'nginx' }]);
    (live.spec as Obj).strategy = {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    };
    const out = strategicMerge(
      live,
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      'Deployment',
    );
    assert.deepEqual((out.spec as Obj).strategy, { type: 'Recreate' });
    rejects(
      () =>
        strategicMerge(
          live,
          { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } },
          'Deployment',
        ),
      /^invalid patch format of retainKeys$/,
    );
    rejects(
      () => strategicMerge(live, { spec: { strategy: { $retainKeys: 'type' } } }, 'Deployment'),
      /retainKeys/,
    );
  });

  void test('$retainKeys inside merged list items (volumes)', () => {
    const live = deploy([{ name: 'nginx' }], {
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 'w', secret: { secretName: 's' } },
      ],
    });
    const out = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] },
          },
        },
      },
      'Deployment',
    );
    assert.deepEqual(podSpec(out).volumes, [
      { name: 'v', configMap: { name: 'cm' } },
      { name: 'w', secret: { secretName: 's' } },
    ]);
  });
});

void describe('strategic merge: merging lists', () => {
  void test('kubectl set image body (§2.11) merges containers by name', () => {
    const live = deploy([
      { name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80, protocol: 'TCP' }] },
    ]);
    const patch = {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ image: 'nginx:1.27', name: 'nginx' }],
          },
        },
      },
    };
    const out = strategicMerge(live, patch, 'Deployment');
    assert.deepEqual(podSpec(out).containers, [
      { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] },
    ]);
    assert.equal(JSON.stringify(out).includes('$'), false);
  });

  void test('kubectl set env / set resources merge into the named container', () => {
    const live = deploy([
      {
        name: 'a',
        image: 'a',
        env: [
          { name: 'X', value: '1' },
          { name: 'Y', value: '2' },
        ],
      },
      { name: 'b', image: 'b' },
    ]);
    const withEnv = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
              containers: [
                {
                  name: 'a',
                  '$setElementOrder/env': [{ name: 'X' }, { name: 'Y' }, { name: 'Z' }],
                  env: [
                    { name: 'Y', value: 'two' },
                    { name: 'Z', value: '3' },
                  ],
                },
              ],
            },
          },
        },
      },
      'Deployment',
    );
    const a = (podSpec(withEnv).containers as Obj[])[0] as Obj;
    assert.deepEqual(a.env, [
      { name: 'X', value: '1' },
      { name: 'Y', value: 'two' },
      { name: 'Z', value: '3' },
    ]);
    const withRes = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
              containers: [{ name: 'b', resources: { limits: { cpu: '200m' } } }],
            },
          },
        },
      },
      'Deployment',
    );
    assert.deepEqual(podSpec(withRes).containers, [
      {
        name: 'a',
        image: 'a',
        env: [
          { name: 'X', value: '1' },
          { name: 'Y', value: '2' },
        ],
      },
      { name: 'b', image: 'b', resources: { limits: { cpu: '200m' } } },
    ]);
  });

  void test('client-side apply body (§2.5) with last-applied annotation', () => {
    const lastApplied =
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"nginx"}}\n';
    const live = deploy([{ name: 'nginx', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' }]);
    (live.metadata as Obj).annotations = {
      'kubectl.kubernetes.io/last-applied-configuration': 'old',
      'deployment.kubernetes.io/revision': '1',
    };
    const body = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ image: 'nginx:1.26', name: 'nginx' }],
          },
        },
      },
    };
    const out = strategicMerge(live, body, 'Deployment');
    assert.deepEqual((out.metadata as Obj).annotations, {
      'kubectl.kubernetes.io/last-applied-configuration': lastApplied,
      'deployment.kubernetes.io/revision': '1',
    });
    assert.equal((out.spec as Obj).replicas, 3);
    assert.deepEqual(podSpec(out).containers, [
      { name: 'nginx', image: 'nginx:1.26', imagePullPolicy: 'IfNotPresent' },
    ]);
  });

  void test('client-side apply deleting a container and reordering', () => {
    const live = deploy([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const out = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }],
              containers: [{ $patch: 'delete', name: 'b' }],
            },
          },
        },
      },
      'Deployment',
    );
    assert.deepEqual(names(podSpec(out).containers), ['c', 'a']);
  });

  void test('new items without $setElementOrder go before server-only items that follow them', () => {
    const live = deploy([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const add = strategicMerge(
      live,
      { spec: { template: { spec: { containers: [{ name: 'd' }] } } } },
      'Deployment',
    );
    assert.deepEqual(names(podSpec(add).containers), ['d', 'a', 'b', 'c']);
    const mixed = strategicMerge(
      live,
      { spec: { template: { spec: { containers: [{ name: 'b', image: 'x' }, { name: 'd' }] } } } },
      'Deployment',
    );
    assert.deepEqual(names(podSpec(mixed).containers), ['a', 'b', 'd', 'c']);
  });

  void test('$setElementOrder: patch order wins, server-only items keep their relative place', () => {
    const live = deploy([{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }]);
    // Server-only a and c are placed before the first patch item that follows them in the live list (d).
    const out = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'd' }, { name: 'e' }, { name: 'b' }],
              containers: [{ name: 'e' }],
            },
          },
        },
      },
      'Deployment',
    );
    assert.deepEqual(names(podSpec(out).containers), ['a', 'c', 'd', 'e', 'b']);
    const appended = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [
                { name: 'a' },
                { name: 'b' },
                { name: 'c' },
                { name: 'd' },
                { name: 'e' },
              ],
              containers: [{ name: 'e', image: 'e' }],
            },
          },
        },
      },
      'Deployment',
    );
    assert.deepEqual(names(podSpec(appended).containers), ['a', 'b', 'c', 'd', 'e']);
  });

  void test('$setElementOrder without the list only reorders', () => {
    const live = deploy([
      { name: 'a', image: 'a' },
      { name: 'b', image: 'b' },
    ]);
    const out = strategicMerge(
      live,
      { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } } } },
      'Deployment',
    );
    assert.deepEqual(podSpec(out).containers, [
      { name: 'b', image: 'b' },
      { name: 'a', image: 'a' },
    ]);
  });

  void test('$setElementOrder must be consistent with the patch list', () => {
    const live = deploy([{ name: 'a' }, { name: 'b' }]);
    rejects(
      () =>
        strategicMerge(
          live,
          {
            spec: {
              template: {
                spec: {
                  '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
                  containers: [{ name: 'b' }, { name: 'a' }],
                },
              },
            },
          },
          'Deployment',
        ),
      /doesn't match \$setElementOrder list/,
    );
    rejects(
      () =>
        strategicMerge(
          live,
          { spec: { template: { spec: { '$setElementOrder/containers': 'a' } } } },
          'Deployment',
        ),
      /^invalid patch format of setElementOrder list$/,
    );
  });

  void test('$patch: delete removes by merge key, requires the key', () => {
    const live = deploy([{ name: 'a' }, { name: 'b' }]);
    const out = strategicMerge(
      live,
      { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } } } },
      'Deployment',
    );
    assert.deepEqual(names(podSpec(out).containers), ['b']);
    rejects(
      () =>
        strategicMerge(
          live,
          { spec: { template: { spec: { containers: [{ $patch: 'delete', image: 'x' }] } } } },
          'Deployment',
        ),
      /^map: map\[\$patch:delete image:x\] does not contain declared merge key: name$/,
    );
    rejects(
      () =>
        strategicMerge(
          live,
          { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
          'Deployment',
        ),
      /does not contain declared merge key: name/,
    );
  });

  void test('$patch: replace in a list replaces the whole list; $patch: merge is refused', () => {
    const live = deploy([{ name: 'a', image: 'a' }, { name: 'b' }]);
    const out = strategicMerge(
      live,
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'c' }, { $patch: 'replace' }] } } } },
      'Deployment',
    );
    assert.deepEqual(podSpec(out).containers, [{ name: 'c', image: 'c' }]);
    rejects(
      () =>
        strategicMerge(
          live,
          { spec: { template: { spec: { containers: [{ $patch: 'merge' }] } } } },
          'Deployment',
        ),
      /merging lists cannot yet be specified in the patch/,
    );
  });

  void test('nested merge lists: ports by containerPort, env by name, volumeMounts by mountPath', () => {
    const live = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          {
            name: 'a',
            ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }],
            volumeMounts: [{ mountPath: '/a', name: 'v' }],
            env: [{ name: 'X', value: '1' }],
          },
        ],
      },
    };
    const out = strategicMerge(
      live,
      {
        spec: {
          containers: [
            {
              name: 'a',
              ports: [{ containerPort: 80, name: 'web' }],
              volumeMounts: [
                { mountPath: '/a', readOnly: true },
                { mountPath: '/b', name: 'w' },
              ],
              env: [{ name: 'X', value: null, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            },
          ],
        },
      },
      'Pod',
    );
    const c = ((out.spec as Obj).containers as Obj[])[0] as Obj;
    assert.deepEqual(c.ports, [{ containerPort: 80, name: 'web' }, { containerPort: 443 }]);
    assert.deepEqual(c.volumeMounts, [
      { mountPath: '/a', name: 'v', readOnly: true },
      { mountPath: '/b', name: 'w' },
    ]);
    assert.deepEqual(c.env, [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
  });

  void test('Service ports merge by port', () => {
    const live = {
      metadata: { name: 's' },
      spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] },
    };
    const out = strategicMerge(live, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, 'Service');
    assert.deepEqual((out.spec as Obj).ports, [{ port: 80, targetPort: 9090 }, { port: 443 }]);
  });

  void test('status conditions merge by type', () => {
    const live = {
      status: {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    };
    const out = strategicMerge(live, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, 'Pod');
    assert.deepEqual((out.status as Obj).conditions, [
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ]);
  });

  void test('ownerReferences merge by uid; tolerations are atomic', () => {
    const live = {
      metadata: { name: 'p', ownerReferences: [{ uid: '1', name: 'a' }] },
      spec: { tolerations: [{ key: 'a' }, { key: 'b' }] },
    };
    const out = strategicMerge(
      live,
      { metadata: { ownerReferences: [{ uid: '2', name: 'b' }] }, spec: { tolerations: [{ key: 'c' }] } },
      'Pod',
    );
    assert.deepEqual((out.metadata as Obj).ownerReferences, [
      { uid: '2', name: 'b' },
      { uid: '1', name: 'a' },
    ]);
    assert.deepEqual((out.spec as Obj).tolerations, [{ key: 'c' }]);
  });

  void test('workload templates: DaemonSet, StatefulSet, Job, CronJob, ReplicationController, PodTemplate', () => {
    const c = (image: string): Obj => ({
      spec: {
        containers: [
          { name: 'x', image },
          { name: 'y', image: 'y' },
        ],
      },
    });
    const setX = { spec: { containers: [{ name: 'x', image: 'new' }] } };
    const expect = [
      { name: 'x', image: 'new' },
      { name: 'y', image: 'y' },
    ];
    const get = (o: Obj, path: string[]): unknown => path.reduce<unknown>((v, k) => (v as Obj)[k], o);
    for (const [type, path] of [
      ['DaemonSet', ['spec', 'template']],
      ['StatefulSet', ['spec', 'template']],
      ['ReplicaSet', ['spec', 'template']],
      ['Job', ['spec', 'template']],
      ['ReplicationController', ['spec', 'template']],
      ['PodTemplate', ['template']],
      ['CronJob', ['spec', 'jobTemplate', 'spec', 'template']],
    ] as const) {
      const wrap = (inner: Obj): Obj => [...path].reverse().reduce<Obj>((acc, k) => ({ [k]: acc }), inner);
      const out = strategicMerge(wrap(c('old')), wrap(setX), type);
      assert.deepEqual(((get(out, [...path]) as Obj).spec as Obj).containers, expect, type);
    }
  });

  void test('lists of unknown kinds and undeclared fields are replaced', () => {
    const live = { spec: { items: [{ name: 'a' }, { name: 'b' }] } };
    assert.deepEqual(strategicMerge(live, { spec: { items: [{ name: 'c' }] } }, undefined), {
      spec: { items: [{ name: 'c' }] },
    });
    const role = { rules: [{ verbs: ['get'] }], metadata: { name: 'r' } };
    assert.deepEqual(strategicMerge(role, { rules: [{ verbs: ['list'] }] }, 'Plain'), {
      rules: [{ verbs: ['list'] }],
      metadata: { name: 'r' },
    });
  });
});

void describe('strategic merge: primitive lists', () => {
  void test('finalizers merge as a set; new values go first (upstream order)', () => {
    const live = { metadata: { finalizers: ['a', 'b'] } };
    assert.deepEqual(strategicMerge(live, { metadata: { finalizers: ['b', 'c'] } }, 'Pod'), {
      metadata: { finalizers: ['a', 'b', 'c'] },
    });
    assert.deepEqual(strategicMerge(live, { metadata: { finalizers: ['c'] } }, 'Pod'), {
      metadata: { finalizers: ['c', 'a', 'b'] },
    });
  });

  void test('$deleteFromPrimitiveList removes values', () => {
    const live = { metadata: { finalizers: ['a', 'b', 'c'] } };
    assert.deepEqual(
      strategicMerge(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } }, 'Pod'),
      {
        metadata: { finalizers: ['a', 'c'] },
      },
    );
    rejects(
      () => strategicMerge(live, { metadata: { '$deleteFromPrimitiveList/finalizers': 'b' } }, 'Pod'),
      /^invalid patch format of primitive list$/,
    );
  });

  void test('$setElementOrder on a primitive list, with deletions (client-side apply shape)', () => {
    const live = { metadata: { finalizers: ['a', 'b', 'c'] } };
    const out = strategicMerge(
      live,
      {
        metadata: {
          '$setElementOrder/finalizers': ['c', 'd', 'a'],
          '$deleteFromPrimitiveList/finalizers': ['b'],
          finalizers: ['d'],
        },
      },
      'Pod',
    );
    assert.deepEqual(out, { metadata: { finalizers: ['c', 'd', 'a'] } });
  });

  void test('atomic primitive lists (container args) are replaced', () => {
    const live = { spec: { containers: [{ name: 'a', args: ['1', '2'] }] } };
    const out = strategicMerge(live, { spec: { containers: [{ name: 'a', args: ['3'] }] } }, 'Pod');
    assert.deepEqual(out, { spec: { containers: [{ name: 'a', args: ['3'] }] } });
  });
});

void describe('strategic merge: client-side apply three-way patches', () => {
  void test('removing an env var and a field of a container', () => {
    const live = deploy([
      {
        name: 'nginx',
        image: 'nginx',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        resources: { limits: { cpu: '1' } },
      },
    ]);
    const out = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'nginx' }],
              containers: [
                {
                  '$setElementOrder/env': [{ name: 'A' }],
                  env: [{ $patch: 'delete', name: 'B' }],
                  name: 'nginx',
                  resources: null,
                },
              ],
            },
          },
        },
      },
      'Deployment',
    );
    assert.deepEqual(podSpec(out).containers, [
      { name: 'nginx', image: 'nginx', env: [{ name: 'A', value: '1' }] },
    ]);
  });

  void test('adding a second container keeps the manifest order', () => {
    const live = deploy([{ name: 'a', image: 'a', terminationMessagePath: '/dev/termination-log' }]);
    const out = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
              containers: [{ image: 'b', name: 'b' }],
            },
          },
        },
      },
      'Deployment',
    );
    assert.deepEqual(podSpec(out).containers, [
      { name: 'a', image: 'a', terminationMessagePath: '/dev/termination-log' },
      { name: 'b', image: 'b' },
    ]);
  });

  void test('a new list with directives inside is created clean', () => {
    const live = deploy([{ name: 'a' }]);
    const out = strategicMerge(
      live,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/volumes': [{ name: 'v' }],
              volumes: [
                { name: 'v', emptyDir: {} },
                { name: 'gone', $patch: 'delete' },
              ],
            },
          },
        },
      },
      'Deployment',
    );
    assert.deepEqual(podSpec(out).volumes, [{ name: 'v', emptyDir: {} }]);
  });

  void test('Deployment strategy switch as kubectl sends it', () => {
    const live = deploy([{ name: 'a' }]);
    (live.spec as Obj).strategy = {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    };
    const out = strategicMerge(
      live,
      { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
      'Deployment',
    );
    assert.deepEqual((out.spec as Obj).strategy, { type: 'Recreate' });
  });
});
