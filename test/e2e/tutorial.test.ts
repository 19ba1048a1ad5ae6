import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tutorial');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Versions upstream removed, and the version kubectl's warning must point to instead. */
const CURRENT: Record<string, string> = {
  'extensions/v1beta1 Deployment': 'apps/v1 Deployment',
  'batch/v1beta1 CronJob': 'batch/v1 CronJob',
};

let s: ServerProcess;
before(async () => {
  s = await startServerProcess({ datastoreEndpoint: 'memory://' });
});
after(async () => {
  await s?.stop();
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

describe('tutorial manifests apply as-is', () => {
  test('the tutorial folder holds the expected manifests', () => {
    assert.deepEqual(files, [
      'configmap.yaml',
      'cronjob.yaml',
      'deployment-blue.yaml',
      'deployment-green.yaml',
      'pod.yaml',
      'secret.yaml',
      'service.yaml',
    ]);
  });

  for (const file of files) {
    test(`kubectl apply -f ${file}`, async () => {
      const doc = parseYaml(readFileSync(join(dir, file), 'utf8')) as {
        apiVersion: string;
        kind: string;
        metadata: { name: string };
      };
      const r = await s.kubectl(['apply', '-f', join(dir, file)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^\\S+/${doc.metadata.name} created$`, 'm'));
      const current = CURRENT[`${doc.apiVersion} ${doc.kind}`];
      if (current) {
        const warning = r.stderr.split('\n').find((l) => l.startsWith('Warning:'));
        assert.ok(warning, `no deprecation warning for ${doc.apiVersion} ${doc.kind}: ${r.stderr}`);
        assert.ok(warning.includes(`${doc.apiVersion} ${doc.kind} is deprecated`), warning);
        assert.ok(warning.includes(`use ${current}`), warning);
      } else {
        assert.equal(r.stderr, '', `unexpected stderr for ${file}`);
      }
    });
  }

  test('the whole folder applies again unchanged', async () => {
    const r = await s.kubectl(['apply', '-f', dir]);
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.trim().split('\n');
    assert.equal(out.length, files.length, r.stdout);
    for (const line of out) assert.match(line, / unchanged$/);
  });
});

describe('tutorial objects read back under the current versions', () => {
  test('deployments are apps/v1 with the selector taken from the template labels', async () => {
    for (const color of ['blue', 'green']) {
      const name = `webserver-${color}`;
      assert.equal(await ok('get', 'deploy', name, '-o', 'jsonpath={.apiVersion}'), 'apps/v1');
      const selector = JSON.parse(await ok('get', 'deploy', name, '-o', 'jsonpath={.spec.selector}'));
      assert.deepEqual(selector, { matchLabels: { type: 'webserver', color } });
      assert.equal(await ok('get', 'deploy', name, '-o', 'jsonpath={.spec.replicas}'), '3');
      const env = await ok(
        'get',
        'deploy',
        name,
        '-o',
        'jsonpath={.spec.template.spec.containers[0].env[*].name}',
      );
      assert.equal(env, 'PROJECT_ID SECRET_ID SECRET_KEY');
    }
    const table = await ok('get', 'deployments', '-l', 'type=webserver', '-o', 'wide');
    assert.match(table, /^webserver-blue\s+0\/3\s+.*color=blue,type=webserver$/m);
  });

  test('the cronjob is batch/v1 with its schedule', async () => {
    assert.equal(
      await ok('get', 'cronjob', 'showdate', '-o', 'jsonpath={.apiVersion} {.spec.schedule}'),
      'batch/v1 */1 * * * *',
    );
  });

  test('configmap, secret, pod and service read back', async () => {
    assert.equal(await ok('get', 'cm', 'projectid', '-o', 'jsonpath={.data.project\\.id}'), 'hello-tugboat');
    assert.equal(
      Buffer.from(await ok('get', 'secret', 'apikey', '-o', 'jsonpath={.data.id}'), 'base64').toString(),
      'tugboat',
    );
    assert.equal(
      await ok('get', 'pod', 'hello-node', '-o', 'jsonpath={.spec.containers[0].ports[0].containerPort}'),
      '8000',
    );
    assert.equal(await ok('get', 'svc', 'webserver', '-o', 'jsonpath={.spec.type}'), 'LoadBalancer');
  });

  test('blue/green: switching the service selector and rolling back', async () => {
    await ok('patch', 'service', 'webserver', '-p', '{"spec":{"selector":{"color":"green"}}}');
    assert.equal(await ok('get', 'svc', 'webserver', '-o', 'jsonpath={.spec.selector.color}'), 'green');
    const r = await s.kubectl(['apply', '-f', join(dir, 'service.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'service/webserver configured');
    assert.equal(await ok('get', 'svc', 'webserver', '-o', 'jsonpath={.spec.selector.color}'), 'blue');
  });

  test('the old apiVersion is still readable explicitly', async () => {
    const r = await s.kubectl([
      'get',
      'deployments.v1beta1.extensions',
      'webserver-blue',
      '-o',
      'jsonpath={.apiVersion}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'extensions/v1beta1');
  });
});
