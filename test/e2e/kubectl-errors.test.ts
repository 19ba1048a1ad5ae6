import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
});
after(async () => {
  await s?.stop();
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

const deployment = (
  name: string,
  opts: { replicas?: number; selector?: string; labels?: string; extra?: string } = {},
): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${opts.replicas ?? 1}
  selector:
    matchLabels:
      app: ${opts.selector ?? name}
  template:
    metadata:
      labels:
        app: ${opts.labels ?? opts.selector ?? name}
    spec:
      containers:
      - name: c
        image: nginx${opts.extra ?? ''}
`;

describe('conflicts', () => {
  test('replace with a stale resourceVersion is a Conflict', async () => {
    await ok('create', 'configmap', 'stale', '--from-literal=a=1');
    const old = await ok('get', 'configmap', 'stale', '-o', 'yaml');
    await ok('label', 'configmap', 'stale', 'bump=1');
    const r = await s.kubectl(['replace', '-f', '-'], { input: old.replace('a: "1"', 'a: "2"') });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again$/m,
    );
    assert.equal(await ok('get', 'configmap', 'stale', '-o', 'jsonpath={.data.a}'), '1');
  });

  test('replace with the current resourceVersion succeeds', async () => {
    const current = await ok('get', 'configmap', 'stale', '-o', 'yaml');
    const r = await s.kubectl(['replace', '-f', '-'], { input: current.replace('a: "1"', 'a: "3"') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'configmap/stale replaced');
    assert.equal(await ok('get', 'configmap', 'stale', '-o', 'jsonpath={.data.a}'), '3');
  });
});

describe('validation', () => {
  test('an invalid object name is rejected naming metadata.name', async () => {
    const r = await s.kubectl(['create', '-f', '-'], { input: deployment('Bad_Name', { selector: 'x' }) });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^The Deployment "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/m,
    );
  });

  test('negative replicas are rejected naming spec.replicas', async () => {
    const r = await s.kubectl(['create', '-f', '-'], { input: deployment('negative', { replicas: -1 }) });
    assert.equal(r.code, 1, `created: ${r.stdout}`);
    assert.match(
      r.stderr,
      /^The Deployment "negative" is invalid: spec\.replicas: Invalid value: -1: must be greater than or equal to 0$/m,
    );
  });

  test('a selector that does not match the template labels is rejected', async () => {
    const r = await s.kubectl(['create', '-f', '-'], {
      input: deployment('mismatch', { selector: 'a', labels: 'b' }),
    });
    assert.equal(r.code, 1, `created: ${r.stdout}`);
    assert.match(
      r.stderr,
      /^The Deployment "mismatch" is invalid: spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/m,
    );
  });

  test('a ConfigMap with an invalid data key is rejected naming the key', async () => {
    const r = await s.kubectl(['create', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: badkey\ndata:\n  "a b": "1"\n',
    });
    assert.equal(r.code, 1, `created: ${r.stdout}`);
    assert.match(
      r.stderr,
      /^The ConfigMap "badkey" is invalid: data\[a b\]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/m,
    );
  });

  test('get of a missing object is NotFound', async () => {
    const r = await s.kubectl(['get', 'deployment', 'nope']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): deployments.apps "nope" not found');
  });

  test('create in a missing namespace is NotFound naming the namespace', async () => {
    const r = await s.kubectl(['create', '-n', 'ghost', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error from server \(NotFound\): error when creating "STDIN": namespaces "ghost" not found$/m,
    );
  });
});

describe('strict field validation (kubectl default --validate=strict)', () => {
  test('an unknown top-level field fails create with strict decoding error', async () => {
    const r = await s.kubectl(['create', '-f', '-'], {
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unknown-top\ndata:\n  a: "1"\nbogus: true\n',
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error from server \(BadRequest\): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"$/m,
    );
    assert.equal((await s.kubectl(['get', 'configmap', 'unknown-top'])).code, 1);
  });

  test('an unknown nested field fails apply naming its path', async () => {
    const r = await s.kubectl(['apply', '-f', '-'], {
      input: deployment('typo', { extra: '\n        imagePullPolice: Always' }),
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /strict decoding error: unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolice"/,
    );
  });

  test('server-side apply rejects an unknown field too', async () => {
    const r = await s.kubectl(['apply', '--server-side', '-f', '-'], {
      input: deployment('typo-ssa', { extra: '\n        imagePullPolice: Always' }),
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolice"/);
  });

  test('--validate=warn creates the object and prints a Warning', async () => {
    const r = await s.kubectl(['create', '--validate=warn', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: warned\nbogus: true\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'configmap/warned created');
    assert.match(r.stderr, /^Warning: unknown field "bogus"$/m);
  });

  test('--validate=false ignores the unknown field silently', async () => {
    const r = await s.kubectl(['create', '--validate=false', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ignored\nbogus: true\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});
