import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'every-kind.yaml');
const fixtureObjects = parseAllDocuments(readFileSync(fixture, 'utf8')).map(
  (d) => d.toJS() as { kind: string; apiVersion: string; metadata: { name: string } },
);

let s: ServerProcess;
before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
  expectOk(await s.kubectl(['apply', '-f', fixture]), 'apply every-kind fixture');
});
after(async () => {
  await s?.stop();
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

const lines = (out: string): string[] => out.split('\n').filter((l) => l.trim() !== '');
/** Table cells of the line whose first cell is `first`. */
const rowOf = (out: string, first: string): string[] | undefined =>
  lines(out)
    .map((l) => l.trim().split(/\s{2,}/))
    .find((c) => c[0] === first);

describe('get of every kind in every output format', () => {
  const expected = fixtureObjects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

  test('-o name lists every object', async () => {
    const out = lines(await ok('get', '-f', fixture, '-o', 'name'));
    assert.equal(out.length, fixtureObjects.length, out.join('\n'));
    for (const o of fixtureObjects) {
      assert.ok(
        out.some((l) => l.endsWith(`/${o.metadata.name}`)),
        `${o.kind} ${o.metadata.name} missing from -o name`,
      );
    }
  });

  test('-o json returns a List holding every object under its own apiVersion', async () => {
    const list = JSON.parse(await ok('get', '-f', fixture, '-o', 'json'));
    assert.equal(list.kind, 'List');
    const got = (list.items as { kind: string; apiVersion: string; metadata: { name: string } }[])
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    assert.deepEqual(got, expected);
    for (const item of list.items) {
      const want = fixtureObjects.find((o) => o.metadata.name === item.metadata.name);
      assert.equal(item.apiVersion, want?.apiVersion, `apiVersion of ${item.metadata.name}`);
      assert.match(item.metadata.resourceVersion, /^\d+$/);
      assert.match(item.metadata.uid, /^[0-9a-f-]{36}$/);
    }
  });

  test('-o yaml returns the same objects', async () => {
    const list = parseYaml(await ok('get', '-f', fixture, '-o', 'yaml'));
    assert.equal(list.kind, 'List');
    const got = (list.items as { kind: string; metadata: { name: string } }[])
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    assert.deepEqual(got, expected);
  });

  test('-o wide prints a table with a header for every kind', async () => {
    const out = await ok('get', '-f', fixture, '-o', 'wide');
    for (const o of fixtureObjects) {
      assert.ok(out.includes(o.metadata.name), `${o.kind} ${o.metadata.name} missing from -o wide`);
    }
    const deploy = await ok('get', 'deployment', 'k-deploy', '-n', 'kinds', '-o', 'wide');
    assert.match(deploy, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m);
    assert.deepEqual(rowOf(deploy, 'k-deploy')?.slice(5), ['c', 'busybox', 'app=k-deploy']);
    const svc = await ok('get', 'service', 'k-svc', '-n', 'kinds', '-o', 'wide');
    assert.match(svc, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR$/m);
    const svcRow = rowOf(svc, 'k-svc');
    assert.equal(svcRow?.[1], 'ClusterIP');
    assert.equal(svcRow?.[4], '80/TCP');
    assert.equal(svcRow?.[6], 'app=k');
    const cm = await ok('get', 'configmap', 'k-cm', '-n', 'kinds');
    assert.deepEqual(rowOf(cm, 'k-cm')?.slice(0, 2), ['k-cm', '1']);
  });

  test('-o jsonpath walks the list', async () => {
    const out = await ok(
      'get',
      '-f',
      fixture,
      '-o',
      'jsonpath={range .items[*]}{.kind}/{.metadata.name}{"\\n"}{end}',
    );
    assert.deepEqual(lines(out).sort(), expected);
  });

  test('-o custom-columns', async () => {
    const out = lines(
      await ok(
        'get',
        '-f',
        fixture,
        '-o',
        'custom-columns=KIND:.kind,NAME:.metadata.name,LABEL:.metadata.labels.e2e',
      ),
    );
    assert.match(out[0] ?? '', /^KIND\s+NAME\s+LABEL$/);
    const rows = out.slice(1).map((l) => l.split(/\s+/));
    assert.deepEqual(rows.map((r) => `${r[0]}/${r[1]}`).sort(), expected);
    for (const r of rows) assert.equal(r[2], r[0] === 'Namespace' ? '<none>' : 'every', r.join(' '));
  });
});

describe('get filters and modifiers', () => {
  before(async () => {
    await ok('create', 'namespace', 'list-a');
    await ok('create', 'namespace', 'list-b');
    for (const [ns, name, color] of [
      ['list-a', 'cherry', 'red'],
      ['list-a', 'apple', 'green'],
      ['list-a', 'banana', 'yellow'],
      ['list-b', 'lime', 'green'],
      ['list-b', 'date', 'brown'],
    ] as const) {
      await ok('create', 'configmap', name, '-n', ns, `--from-literal=color=${color}`);
      await ok('label', 'configmap', name, '-n', ns, `color=${color}`, 'fruit=yes');
    }
  });

  test('-A lists across namespaces with a NAMESPACE column', async () => {
    const out = await ok('get', 'configmaps', '-A', '-l', 'fruit=yes');
    assert.match(out, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    assert.deepEqual(rowOf(out, 'list-b')?.slice(0, 3), ['list-b', 'date', '1']);
    assert.equal(lines(out).length, 6);
  });

  test('-l selects by label (equality, set and inequality)', async () => {
    assert.equal(
      await ok('get', 'cm', '-A', '-l', 'color=green', '-o', 'jsonpath={.items[*].metadata.name}'),
      'apple lime',
    );
    const set = await ok(
      'get',
      'cm',
      '-A',
      '-l',
      'color in (red,brown)',
      '-o',
      'jsonpath={.items[*].metadata.name}',
    );
    assert.equal(set, 'cherry date');
    const neq = await ok('get', 'cm', '-n', 'list-a', '-l', 'fruit=yes,color!=red', '-o', 'name');
    assert.deepEqual(lines(neq), ['configmap/apple', 'configmap/banana']);
    const none = await s.kubectl(['get', 'cm', '-n', 'list-a', '-l', 'color=blue']);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /No resources found in list-a namespace\./);
  });

  test('--field-selector on metadata.name and metadata.namespace', async () => {
    const out = await ok('get', 'cm', '-A', '--field-selector', 'metadata.name=lime', '-o', 'name');
    assert.equal(out, 'configmap/lime\n');
    const ns = await ok(
      'get',
      'cm',
      '-A',
      '-l',
      'fruit=yes',
      '--field-selector',
      'metadata.namespace!=list-a',
      '-o',
      'name',
    );
    assert.deepEqual(lines(ns), ['configmap/date', 'configmap/lime']);
    const bad = await s.kubectl(['get', 'cm', '-A', '--field-selector', 'data.color=red']);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /Error from server \(BadRequest\): .*"data\.color" is not a known field selector: only "metadata\.name", "metadata\.namespace"/,
    );
  });

  test('--sort-by orders the rows', async () => {
    const byName = await ok('get', 'cm', '-A', '-l', 'fruit=yes', '--sort-by=.metadata.name', '-o', 'name');
    assert.deepEqual(
      lines(byName),
      ['apple', 'banana', 'cherry', 'date', 'lime'].map((n) => `configmap/${n}`),
    );
    const byColor = await ok(
      'get',
      'cm',
      '-n',
      'list-a',
      '-l',
      'fruit',
      '--sort-by=.data.color',
      '-o',
      'custom-columns=C:.data.color',
      '--no-headers',
    );
    assert.deepEqual(lines(byColor), ['green', 'red', 'yellow']);
  });

  test('--show-labels adds a LABELS column', async () => {
    const out = await ok('get', 'cm', 'apple', '-n', 'list-a', '--show-labels');
    assert.match(out, /^NAME\s+DATA\s+AGE\s+LABELS$/m);
    assert.equal(rowOf(out, 'apple')?.[3], 'color=green,fruit=yes');
  });

  test('--chunk-size=1 pages through the whole list', async () => {
    const out = await ok('get', 'cm', '-A', '-l', 'fruit=yes', '--chunk-size=1', '-o', 'name');
    assert.equal(lines(out).length, 5, out);
    const table = await ok('get', 'cm', '-n', 'list-a', '-l', 'fruit', '--chunk-size=1');
    assert.deepEqual(
      lines(table)
        .slice(1)
        .map((l) => l.split(/\s+/)[0]),
      ['apple', 'banana', 'cherry'],
    );
    // Headers are printed once even though three pages were fetched.
    assert.equal(lines(table).filter((l) => l.startsWith('NAME')).length, 1);
  });

  test('get -w prints a line for a change made by another kubectl', async () => {
    const watch = s.kubectlStream(['get', 'configmaps', '-n', 'list-b', '-w']);
    try {
      await watch.waitForLine(/^lime\s+1\s+/);
      await ok('create', 'configmap', 'mango', '-n', 'list-b', '--from-literal=a=1', '--from-literal=b=2');
      const line = await watch.waitForLine(/^mango\s/);
      assert.match(line, /^mango\s+2\s+\d+s$/);
      await ok('delete', 'configmap', 'mango', '-n', 'list-b');
      assert.equal(watch.child.exitCode, null, `kubectl get -w exited: ${watch.stderr()}`);
    } finally {
      await watch.stop();
    }
  });

  test('get -w --output-watch-events shows ADDED, MODIFIED and DELETED', async () => {
    const watch = s.kubectlStream(['get', 'configmaps', '-n', 'list-b', '-w', '--output-watch-events']);
    try {
      // The listed objects come first as ADDED; changes after that arrive through the watch.
      await watch.waitForLine(/^ADDED\s+lime\s/);
      await ok('create', 'configmap', 'kiwi', '-n', 'list-b');
      await watch.waitForLine(/^ADDED\s+kiwi\s/);
      await ok('label', 'configmap', 'kiwi', '-n', 'list-b', 'ripe=yes');
      await watch.waitForLine(/^MODIFIED\s+kiwi\s/);
      await ok('delete', 'configmap', 'kiwi', '-n', 'list-b');
      await watch.waitForLine(/^DELETED\s+kiwi\s/);
    } finally {
      await watch.stop();
    }
  });
});

describe('server-side defaults as kubectl shows them', () => {
  test('objects read back with their defaulted status and policy fields', async () => {
    const field = async (path: string, ...target: string[]): Promise<string> =>
      ok('get', ...target, '-o', `jsonpath={${path}}`);
    const got = {
      'namespace status.phase': await field('.status.phase', 'namespace', 'kinds'),
      'pod status.phase': await field('.status.phase', 'pod', 'k-pod', '-n', 'kinds'),
      'pod spec.restartPolicy': await field('.spec.restartPolicy', 'pod', 'k-pod', '-n', 'kinds'),
      'deployment spec.strategy.type': await field(
        '.spec.strategy.type',
        'deploy',
        'k-deploy',
        '-n',
        'kinds',
      ),
      'pv spec.persistentVolumeReclaimPolicy': await field(
        '.spec.persistentVolumeReclaimPolicy',
        'pv',
        'k-pv',
      ),
      'priorityclass preemptionPolicy': await field('.preemptionPolicy', 'priorityclass', 'k-priority'),
      'cronjob spec.suspend': await field('.spec.suspend', 'cronjob', 'k-cron', '-n', 'kinds'),
      'service spec.sessionAffinity': await field('.spec.sessionAffinity', 'svc', 'k-svc', '-n', 'kinds'),
    };
    assert.deepEqual(got, {
      'namespace status.phase': 'Active',
      'pod status.phase': 'Pending',
      'pod spec.restartPolicy': 'Always',
      'deployment spec.strategy.type': 'RollingUpdate',
      'pv spec.persistentVolumeReclaimPolicy': 'Retain',
      'priorityclass preemptionPolicy': 'PreemptLowerPriority',
      'cronjob spec.suspend': 'false',
      'service spec.sessionAffinity': 'None',
    });
  });

  test('a Service without a type is a ClusterIP service with TCP ports', async () => {
    const r = await s.kubectl(['apply', '-n', 'kinds', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: plain\nspec:\n  selector: {app: x}\n  ports:\n  - port: 80\n',
    });
    assert.equal(r.code, 0, r.stderr);
    const out = await ok(
      'get',
      'svc',
      'plain',
      '-n',
      'kinds',
      '-o',
      'jsonpath={.spec.type} {.spec.ports[0].protocol}',
    );
    assert.equal(out, 'ClusterIP TCP');
  });
});

describe('events', () => {
  test('get events shows an Event about a Deployment, and describe lists it', async () => {
    await ok('create', 'namespace', 'ev');
    await ok('create', 'deployment', 'app', '--image=nginx', '-n', 'ev');
    const uid = await ok('get', 'deploy', 'app', '-n', 'ev', '-o', 'jsonpath={.metadata.uid}');
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'app.scaled', namespace: 'ev' },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app', namespace: 'ev', uid },
      // A reason of our own: the deployment controller writes real ScalingReplicaSet events alongside.
      reason: 'NoteByHand',
      message: 'Written by a test',
      type: 'Normal',
      count: 1,
      firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      source: { component: 'deployment-controller' },
    };
    const created = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify(event) });
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'event/app.scaled created');

    const out = await ok('get', 'events', '-n', 'ev');
    assert.match(out, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    assert.match(out, /^\d+s\s+Normal\s+NoteByHand\s+deployment\/app\s+Written by a test$/m);

    const selected = await ok(
      'get',
      'events',
      '-n',
      'ev',
      '--field-selector',
      'involvedObject.kind=Deployment,reason=NoteByHand',
      '-o',
      'name',
    );
    assert.equal(selected, 'event/app.scaled\n');

    const described = await ok('describe', 'deployment', 'app', '-n', 'ev');
    assert.match(described, /Normal\s+NoteByHand\s+\S+\s+deployment-controller\s+Written by a test/);
  });
});
