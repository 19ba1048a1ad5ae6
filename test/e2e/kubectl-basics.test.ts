import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
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

/** The row of a table whose first column is `first`, split on runs of spaces. */
function row(table: string, first: string): string[] | undefined {
  return table
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}|\s+/))
    .find((cols) => cols[0] === first);
}

describe('discovery and cluster information', () => {
  test('version prints the client and the server version', async () => {
    const out = await ok('version');
    assert.match(out, /^Client Version: v1\.32\./m);
    assert.match(out, /^Server Version: v1\.\d+\.\d+\S*$/m);
  });

  test('cluster-info names the control plane URL', async () => {
    const out = await ok('cluster-info');
    assert.ok(
      out.includes(`Kubernetes control plane is running at ${s.server}`),
      `cluster-info output: ${out}`,
    );
  });

  test('api-resources lists deployments with short name, group version, namespaced and kind', async () => {
    const out = await ok('api-resources');
    assert.match(out.split('\n')[0] ?? '', /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND/);
    assert.deepEqual(row(out, 'deployments'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    assert.deepEqual(row(out, 'namespaces'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    assert.deepEqual(row(out, 'configmaps'), ['configmaps', 'cm', 'v1', 'true', 'ConfigMap']);
    const wide = await ok('api-resources', '--api-group=apps', '-o', 'name');
    assert.ok(wide.split('\n').includes('deployments.apps'), wide);
  });

  test('admission webhook configurations: api-resources, explain, the api-extensions category', async () => {
    const out = await ok('api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'wide');
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      const plural = `${kind.toLowerCase()}s`;
      // No short names: the columns after the name start with the group version.
      assert.deepEqual(row(out, plural)?.slice(0, 4), [
        plural,
        'admissionregistration.k8s.io/v1',
        'false',
        kind,
      ]);
      assert.match(out, new RegExp(`^${plural}\\s.*\\sapi-extensions$`, 'm'));
    }
    const explained = await ok('explain', 'validatingwebhookconfigurations.webhooks.rules.resources');
    assert.match(explained, /GROUP:\s+admissionregistration\.k8s\.io/);
    assert.match(explained, /FIELD:\s+resources <\[\]string>/);
    const manifest = stringifyYaml({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'basics-vwc' },
      webhooks: [
        {
          name: 'basics.example.test',
          clientConfig: { url: 'https://webhook.example.test/' },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    });
    expectOk(await s.kubectl(['create', '-f', '-'], { input: manifest }), 'create webhook configuration');
    const listed = await ok('get', 'api-extensions', '-o', 'name');
    assert.ok(
      listed.split('\n').includes('validatingwebhookconfiguration.admissionregistration.k8s.io/basics-vwc'),
      listed,
    );
    const table = await ok('get', 'validatingwebhookconfigurations');
    assert.match(table, /^NAME\s+WEBHOOKS\s+AGE$/m);
    assert.deepEqual(row(table, 'basics-vwc')?.slice(0, 2), ['basics-vwc', '1']);
    await ok('delete', 'validatingwebhookconfiguration', 'basics-vwc');
  });

  test('validating admission policies: api-resources, explain, create, get as tables', async () => {
    const out = await ok('api-resources', '--api-group=admissionregistration.k8s.io', '-o', 'wide');
    for (const kind of ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']) {
      const plural =
        kind === 'ValidatingAdmissionPolicy'
          ? 'validatingadmissionpolicies'
          : 'validatingadmissionpolicybindings';
      assert.deepEqual(row(out, plural)?.slice(0, 4), [
        plural,
        'admissionregistration.k8s.io/v1',
        'false',
        kind,
      ]);
      assert.match(out, new RegExp(`^${plural}\\s.*\\sapi-extensions$`, 'm'));
    }
    const explained = await ok(
      'explain',
      'validatingadmissionpolicies.spec.matchConstraints.resourceRules.resources',
    );
    assert.match(explained, /FIELD:\s+resources <\[\]string>/);
    const manifest = [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'basics-vap' },
        spec: {
          paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
          matchConstraints: {
            resourceRules: [
              {
                operations: ['CREATE'],
                apiGroups: ['apps'],
                apiVersions: ['v1'],
                resources: ['deployments'],
              },
            ],
          },
          validations: [{ expression: 'true' }, { expression: "object.metadata.name != ''" }],
        },
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'basics-vapb' },
        spec: {
          policyName: 'basics-vap',
          validationActions: ['Audit'],
          paramRef: { name: 'limits', parameterNotFoundAction: 'Allow' },
        },
      },
    ]
      .map((o) => stringifyYaml(o))
      .join('---\n');
    expectOk(await s.kubectl(['create', '-f', '-'], { input: manifest }), 'create policy and binding');
    const policies = await ok('get', 'validatingadmissionpolicies');
    assert.match(policies, /^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE$/m);
    assert.deepEqual(row(policies, 'basics-vap')?.slice(0, 3), ['basics-vap', '2', 'v1/ConfigMap']);
    const bound = await ok('get', 'validatingadmissionpolicybindings');
    assert.match(bound, /^NAME\s+POLICYNAME\s+PARAMREF\s+AGE$/m);
    assert.deepEqual(row(bound, 'basics-vapb')?.slice(0, 3), ['basics-vapb', 'basics-vap', '*/limits']);
    const refused = await s.kubectl(['create', '-f', '-'], {
      input: stringifyYaml({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'basics-bad' },
        spec: { policyName: 'basics-vap', validationActions: ['Deny', 'Warn'] },
      }),
    });
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /spec\.validationActions: Invalid value: .*must not contain both Deny and Warn/,
    );
    await ok('delete', 'validatingadmissionpolicybinding', 'basics-vapb');
    await ok('delete', 'validatingadmissionpolicy', 'basics-vap');
  });

  test('api-versions lists the core and group versions', async () => {
    const lines = (await ok('api-versions')).trim().split('\n');
    for (const v of ['v1', 'apps/v1', 'batch/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1']) {
      assert.ok(lines.includes(v), `api-versions lacks ${v}: ${lines.join(' ')}`);
    }
  });

  test('explain deployment.spec.replicas describes the field from the OpenAPI schema', async () => {
    const out = await ok('explain', 'deployment.spec.replicas');
    assert.match(out, /GROUP:\s+apps/);
    assert.match(out, /KIND:\s+Deployment/);
    assert.match(out, /VERSION:\s+v1/);
    assert.match(out, /FIELD:\s+replicas <integer>/);
    assert.match(out, /Number of desired pods/);
  });
});

describe('health endpoints', () => {
  for (const path of ['/healthz', '/livez', '/readyz']) {
    test(`get --raw ${path} is ok`, async () => {
      assert.equal(await ok('get', '--raw', path), 'ok');
    });
  }

  test('get --raw /readyz?verbose lists the checks', async () => {
    const out = await ok('get', '--raw', '/readyz?verbose');
    assert.match(out, /^\[\+\]ping ok$/m);
    assert.match(out, /^readyz check passed$/m);
  });
});

describe('identity and authorization', () => {
  test('auth can-i create pods answers yes for the admin', async () => {
    const r = await s.kubectl(['auth', 'can-i', 'create', 'pods']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'yes');
  });

  test('auth whoami reports the admin user from the client certificate', async () => {
    const out = await ok('auth', 'whoami');
    assert.match(out, /^Username\s+admin$/m);
    assert.match(out, /^Groups\s+\[.*system:masters.*\]$/m);
  });
});

describe('bearer tokens', () => {
  /** A kubeconfig with the server's CA and only a bearer token as credentials. */
  const tokenKubeconfig = (token: string): string => {
    const doc = parseYaml(readFileSync(s.kubeconfig, 'utf8'));
    doc.users = [{ name: 'default', user: { token } }];
    const file = join(s.cacheDir, `token-${token.length}-${token.slice(0, 4)}.yaml`);
    writeFileSync(file, stringifyYaml(doc), { mode: 0o600 });
    return file;
  };

  test('the admin token from the token file authenticates as admin', async () => {
    const line = readFileSync(join(s.dataDir, 'server', 'token'), 'utf8').split('\n')[0] ?? '';
    const token = line.split(',')[0] ?? '';
    assert.ok(token.length >= 16, 'token file has no token');
    const r = await s.kubectl(['auth', 'whoami'], { env: { KUBECONFIG: tokenKubeconfig(token) } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Username\s+admin$/m);
  });

  test('an unknown token is Unauthorized', async () => {
    const r = await s.kubectl(['get', 'configmaps'], {
      env: { KUBECONFIG: tokenKubeconfig('not-a-real-token') },
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  });
});

describe('imperative create (protobuf request bodies)', () => {
  const ns = 'basics';

  test('create namespace', async () => {
    assert.equal((await ok('create', 'namespace', ns)).trim(), `namespace/${ns} created`);
    assert.equal((await ok('get', 'namespace', ns, '-o', 'jsonpath={.metadata.name}')).trim(), ns);
  });

  test('create deployment', async () => {
    assert.equal(
      (await ok('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2', '-n', ns)).trim(),
      'deployment.apps/web created',
    );
    const out = await ok(
      'get',
      'deploy',
      'web',
      '-n',
      ns,
      '-o',
      'jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].image}',
    );
    assert.equal(out, '2 web nginx:1.25');
  });

  test('create configmap', async () => {
    assert.equal(
      (await ok('create', 'configmap', 'cfg', '--from-literal=mode=blue', '-n', ns)).trim(),
      'configmap/cfg created',
    );
    assert.equal(await ok('get', 'cm', 'cfg', '-n', ns, '-o', 'jsonpath={.data.mode}'), 'blue');
  });

  // The server defaults an empty secret type to Opaque.
  test('create secret generic', async () => {
    assert.equal(
      (await ok('create', 'secret', 'generic', 'creds', '--from-literal=password=hunter2', '-n', ns)).trim(),
      'secret/creds created',
    );
    const data = await ok('get', 'secret', 'creds', '-n', ns, '-o', 'jsonpath={.type} {.data.password}');
    assert.equal(data, `Opaque ${Buffer.from('hunter2').toString('base64')}`);
  });

  test('create service clusterip', async () => {
    assert.equal(
      (await ok('create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', ns)).trim(),
      'service/web created',
    );
    const out = await ok(
      'get',
      'svc',
      'web',
      '-n',
      ns,
      '-o',
      'jsonpath={.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.clusterIP}',
    );
    assert.match(out, /^ClusterIP 80 8080 \d+\.\d+\.\d+\.\d+$/);
  });

  test('create job', async () => {
    assert.equal(
      (await ok('create', 'job', 'once', '--image=busybox', '-n', ns, '--', 'echo', 'hi')).trim(),
      'job.batch/once created',
    );
    const out = await ok(
      'get',
      'job',
      'once',
      '-n',
      ns,
      '-o',
      'jsonpath={.spec.template.spec.containers[0].command}',
    );
    assert.equal(out, '["echo","hi"]');
  });

  test('create serviceaccount', async () => {
    assert.equal(
      (await ok('create', 'serviceaccount', 'robot', '-n', ns)).trim(),
      'serviceaccount/robot created',
    );
    assert.equal(await ok('get', 'sa', 'robot', '-n', ns, '-o', 'name'), 'serviceaccount/robot\n');
  });

  test('create of an existing object is AlreadyExists', async () => {
    // `create configmap` wraps the server's error in its own message.
    const r = await s.kubectl(['create', 'configmap', 'cfg', '-n', ns]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: failed to create configmap: configmaps "cfg" already exists\n');
    const f = await s.kubectl(['create', '-n', ns, '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n',
    });
    assert.equal(f.code, 1);
    assert.match(
      f.stderr,
      /^Error from server \(AlreadyExists\): error when creating "STDIN": configmaps "cfg" already exists$/m,
    );
  });
});

describe('describe', () => {
  const ns = 'desc';
  before(async () => {
    await ok('create', 'namespace', ns);
    await ok('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3', '-n', ns);
    await ok('create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', ns);
    await ok('create', 'configmap', 'cfg', '--from-literal=mode=blue', '-n', ns);
  });

  test('describe deployment shows name, selector, replicas and the pod template', async () => {
    const out = await ok('describe', 'deployment', 'web', '-n', ns);
    assert.match(out, /^Name:\s+web$/m);
    assert.match(out, /^Namespace:\s+desc$/m);
    assert.match(out, /^Selector:\s+app=web$/m);
    assert.match(out, /^Replicas:\s+3 desired \|/m);
    assert.match(out, /Image:\s+nginx:1\.25/);
  });

  test('describe deployment shows the defaulted RollingUpdate strategy', async () => {
    const out = await ok('describe', 'deployment', 'web', '-n', ns);
    assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(out, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
  });

  test('describe service shows type, IP and ports', async () => {
    const out = await ok('describe', 'service', 'web', '-n', ns);
    assert.match(out, /^Name:\s+web$/m);
    assert.match(out, /^Type:\s+ClusterIP$/m);
    assert.match(out, /^IP:\s+\d+\.\d+\.\d+\.\d+$/m);
    assert.match(out, /^Port:\s+80-8080\s+80\/TCP$/m);
    assert.match(out, /^TargetPort:\s+8080\/TCP$/m);
  });

  test('describe service shows the defaulted session affinity and IP family', async () => {
    const out = await ok('describe', 'service', 'web', '-n', ns);
    assert.match(out, /^Session Affinity:\s+None$/m);
    assert.match(out, /^IP Families:\s+IPv4$/m);
  });

  test('describe configmap shows its data', async () => {
    const out = await ok('describe', 'configmap', 'cfg', '-n', ns);
    assert.match(out, /^Name:\s+cfg$/m);
    assert.match(out, /^Data\n====\nmode:\n----\nblue$/m);
  });

  test('describe namespace shows an Active namespace', async () => {
    const out = await ok('describe', 'namespace', ns);
    assert.match(out, /^Name:\s+desc$/m);
    assert.match(out, /^Status:\s+Active$/m);
  });
});
