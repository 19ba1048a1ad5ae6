import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
let dir: string;
let dataDir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tugboat-e2e-crd-'));
  dataDir = join(dir, 'data');
  s = await startServerProcess({ dataDir });
});
after(async () => {
  await s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The CronTab of the Kubernetes documentation, with printer columns, defaults and both subresources. */
const CRONTAB_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "!has(self.image) || !self.image.endsWith(':latest')"
              message: pin the image to a version
            properties:
              cronSpec:
                type: string
                pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
          status:
            type: object
            properties:
              replicas:
                type: integer
`;

const cronTab = (name: string, spec: string): string => `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: ${name}
spec:
${spec}`;

describe('CustomResourceDefinitions with the real kubectl', () => {
  const ns = 'crd';
  before(async () => {
    await ok('create', 'namespace', ns);
  });

  test('a CRD applies, becomes Established and is listed', async () => {
    const out = await ok('apply', '-f', file('crd.yaml', CRONTAB_CRD));
    assert.equal(
      out.trim(),
      'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created',
    );
    await ok('wait', '--for', 'condition=Established', '--timeout', '20s', 'crd/crontabs.stable.example.com');
    const names = JSON.parse(await ok('get', 'crd', 'crontabs.stable.example.com', '-o', 'json')) as {
      status: { acceptedNames: Record<string, unknown>; storedVersions: string[] };
    };
    assert.deepEqual(names.status.acceptedNames, {
      plural: 'crontabs',
      singular: 'crontab',
      kind: 'CronTab',
      shortNames: ['ct'],
      listKind: 'CronTabList',
    });
    assert.deepEqual(names.status.storedVersions, ['v1']);
    assert.match(await ok('get', 'crds'), /^crontabs\.stable\.example\.com\s+\d{4}-\d\d-\d\dT/m);
  });

  test('custom resources are created, defaulted and printed with the CRD columns', async () => {
    const out = await ok(
      'apply',
      '-n',
      ns,
      '-f',
      file('ct.yaml', cronTab('my-cron', '  cronSpec: "* * * * */5"\n  image: my-awesome-cron-image\n')),
    );
    assert.equal(out.trim(), 'crontab.stable.example.com/my-cron created');
    assert.equal(await ok('get', 'ct', 'my-cron', '-n', ns, '-o', 'jsonpath={.spec.replicas}'), '1');
    const table = await ok('get', 'crontabs', '-n', ns);
    assert.match(table.split('\n')[0]!, /^NAME\s+SPEC\s+REPLICAS\s+AGE$/);
    assert.match(table, /^my-cron\s+\* \* \* \* \*\/5\s+1\s+\d+s$/m);
  });

  test('server-side apply creates custom resources with their defaults and field owners', async () => {
    const manifest = file('ssa.yaml', cronTab('by-ssa', '  cronSpec: "0 * * * *"\n'));
    assert.match(await ok('apply', '--server-side', '-n', ns, '-f', manifest), /serverside-applied/);
    const obj = JSON.parse(
      await ok('get', 'ct', 'by-ssa', '-n', ns, '-o', 'json', '--show-managed-fields'),
    ) as { spec: object; metadata: { managedFields: { manager: string; operation: string }[] } };
    assert.deepEqual(obj.spec, { cronSpec: '0 * * * *', replicas: 1 });
    assert.deepEqual(
      obj.metadata.managedFields.map((f) => `${f.manager}/${f.operation}`),
      ['kubectl/Apply'],
    );
  });

  test('a value outside the schema is refused with the field named', async () => {
    const r = await s.kubectl([
      'apply',
      '-n',
      ns,
      '-f',
      file('bad.yaml', cronTab('bad', '  cronSpec: "* * * * *"\n  replicas: 20\n')),
    ]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /The CronTab "bad" is invalid: spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/,
    );
  });

  test('a CEL validation rule of the schema is enforced with its message', async () => {
    const r = await s.kubectl([
      'apply',
      '-n',
      ns,
      '-f',
      file('latest.yaml', cronTab('latest', '  image: cron:latest\n')),
    ]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /The CronTab "latest" is invalid: spec: Invalid value: "object": pin the image to a version/,
    );
  });

  test('an unknown field is refused under kubectl strict validation and pruned without it', async () => {
    const manifest = file('unknown.yaml', cronTab('extra', '  cronSpec: "* * * * *"\n  colour: blue\n'));
    const r = await s.kubectl(['apply', '-n', ns, '-f', manifest]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /strict decoding error: unknown field "spec\.colour"/);
    await ok('apply', '-n', ns, '--validate=false', '-f', manifest);
    const spec = JSON.parse(await ok('get', 'ct', 'extra', '-n', ns, '-o', 'jsonpath={.spec}')) as object;
    assert.deepEqual(spec, { cronSpec: '* * * * *', replicas: 1 });
  });

  test('merge patches apply, strategic merge patches are refused with 415', async () => {
    await ok('patch', 'ct', 'my-cron', '-n', ns, '--type=merge', '-p', '{"spec":{"image":"v2"}}');
    assert.equal(await ok('get', 'ct', 'my-cron', '-n', ns, '-o', 'jsonpath={.spec.image}'), 'v2');
    const r = await s.kubectl(['patch', 'ct', 'my-cron', '-n', ns, '-p', '{"spec":{"image":"v3"}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /UnsupportedMediaType|unknown format/);
  });

  const patchStatus = (patch: string) =>
    s.kubectl(['patch', 'ct', 'my-cron', '-n', ns, '--subresource=status', '--type=merge', '-p', patch]);

  test('the scale subresource moves spec.replicas; the status subresource keeps status out of updates', async () => {
    assert.match(await ok('scale', 'ct', 'my-cron', '-n', ns, '--replicas=3'), /scaled/);
    assert.equal(await ok('get', 'ct', 'my-cron', '-n', ns, '-o', 'jsonpath={.spec.replicas}'), '3');
    await ok('patch', 'ct', 'my-cron', '-n', ns, '--type=merge', '-p', '{"status":{"replicas":3}}');
    assert.equal(await ok('get', 'ct', 'my-cron', '-n', ns, '-o', 'jsonpath={.status.replicas}'), '');
    expectOk(await patchStatus('{"status":{"replicas":3}}'), 'status patch');
    assert.equal(await ok('get', 'ct', 'my-cron', '-n', ns, '-o', 'jsonpath={.status.replicas}'), '3');
    const bad = await patchStatus('{"status":{"replicas":"many"}}');
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /status\.replicas: Invalid value: "string": status\.replicas in body must be of type integer: "string"/,
    );
  });

  test('custom resources are served again after a restart', async () => {
    await s.stop();
    s = await startServerProcess({ dataDir });
    assert.match(await ok('get', 'ct', '-n', ns), /^my-cron\s/m);
  });

  test('deleting the namespace deletes its custom resources', async () => {
    await ok('create', 'namespace', 'crd-gone');
    await ok('apply', '-n', 'crd-gone', '-f', file('gone.yaml', cronTab('doomed', '  image: x\n')));
    await ok('delete', 'namespace', 'crd-gone', '--timeout=60s');
    await waitFor(async () => (await s.kubectl(['get', 'namespace', 'crd-gone'])).code !== 0, {
      timeoutMs: 60_000,
      intervalMs: 500,
      message: 'namespace crd-gone to go',
    });
  });

  test('deleting the CRD deletes its custom resources and stops serving them', async () => {
    assert.match(await ok('delete', 'crd', 'crontabs.stable.example.com'), /deleted/);
    const r = await s.kubectl(['get', 'crontabs', '-n', ns]);
    assert.notEqual(r.code, 0);
    // With kubectl's discovery cache still naming the resource, the list itself gets the 404.
    assert.match(
      r.stderr,
      /the server doesn't have a resource type "crontabs"|the server could not find the requested resource/,
    );
    // A CRD of the same name starts empty.
    await ok('apply', '-f', join(dir, 'crd.yaml'));
    await ok('wait', '--for', 'condition=Established', '--timeout', '20s', 'crd/crontabs.stable.example.com');
    assert.match((await s.kubectl(['get', 'ct', '-n', ns])).stderr, /No resources found/);
  });
});
