/**
 * Pod Security Admission with the real kubectl against `tugboat server`: labelling a namespace warns about the
 * pods already there, `kubectl run` of a pod the level refuses fails with upstream's message, a Deployment is
 * accepted with the warn level's warning and its ReplicaSet reports the refused pods as a FailedCreate event,
 * and a compliant pod runs through. A second server takes cluster defaults and an exempt namespace from
 * `--admission-control-config-file`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventMessages, expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

/** What the restricted level says of a plain container. */
const restrictedReasons = (c: string): string =>
  `allowPrivilegeEscalation != false (container "${c}" must set securityContext.allowPrivilegeEscalation=false), ` +
  `unrestricted capabilities (container "${c}" must set securityContext.capabilities.drop=["ALL"]), ` +
  `runAsNonRoot != true (pod or container "${c}" must set securityContext.runAsNonRoot=true), ` +
  `seccompProfile (pod or container "${c}" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`;

void describe('kubectl and Pod Security Admission', () => {
  let s: ServerProcess;
  const ok = async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> =>
    expectOk(await s.kubectl(args, input === undefined ? {} : { input }), `kubectl ${args.join(' ')}`);

  before(async () => {
    s = await startServerProcess({ datastoreEndpoint: 'memory://' });
  });
  after(async () => {
    await s?.stop();
  });

  test('labelling a namespace warns about its pods; kubectl run is refused with upstream’s message', async () => {
    await ok(['create', 'namespace', 'psa']);
    await ok(['-n', 'psa', 'run', 'before', '--image=busybox', '--restart=Never']);
    const labelled = await ok(['label', 'namespace', 'psa', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.match(labelled.stdout, /namespace\/psa labeled/);
    assert.match(
      labelled.stderr,
      /Warning: existing pods in namespace "psa" violate the new PodSecurity enforce level "restricted:latest"\n/,
    );
    assert.match(
      labelled.stderr,
      /Warning: before: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile/,
    );

    const refused = await s.kubectl(['-n', 'psa', 'run', 'web', '--image=busybox', '--restart=Never']);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      `Error from server (Forbidden): pods "web" is forbidden: violates PodSecurity "restricted:latest": ${restrictedReasons('web')}`,
    );

    const bad = await s.kubectl(['label', 'namespace', 'psa', 'pod-security.kubernetes.io/warn=loose']);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /The Namespace "psa" is invalid: metadata.labels\[pod-security.kubernetes.io\/warn\]: Invalid value: "loose": must be one of privileged, baseline, restricted/,
    );
  });

  test('a Deployment is accepted with a warning; its ReplicaSet reports the refused pods', async () => {
    await ok(['label', 'namespace', 'psa', 'pod-security.kubernetes.io/warn=restricted']);
    const created = await ok(['-n', 'psa', 'create', 'deployment', 'web', '--image=busybox']);
    assert.match(created.stdout, /deployment.apps\/web created/);
    assert.match(
      created.stderr,
      new RegExp(
        `Warning: would violate PodSecurity "restricted:latest": ${escape(restrictedReasons('busybox'))}`,
      ),
    );
    const event = await eventMessages(s, 'reason=FailedCreate', 'violates PodSecurity', { namespace: 'psa' });
    assert.match(
      event,
      /Error creating: pods "web-[a-z0-9]+-[a-z0-9]+" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
    );
  });

  test('a pod that meets the restricted level is created', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'locked', namespace: 'psa' },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'web',
            image: 'busybox',
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    });
    const created = await ok(['apply', '-f', '-'], manifest);
    assert.match(created.stdout, /pod\/locked created/);
    assert.doesNotMatch(created.stderr, /Warning/);
  });
});

void describe('--admission-control-config-file: Pod Security defaults and exemptions', () => {
  let s: ServerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-psa-'));
  const hostPod = (namespace: string): string =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'host', namespace },
      spec: { hostNetwork: true, containers: [{ name: 'web', image: 'busybox' }] },
    });

  before(async () => {
    const config = join(dir, 'admission.yaml');
    writeFileSync(
      config,
      [
        'apiVersion: apiserver.config.k8s.io/v1',
        'kind: AdmissionConfiguration',
        'plugins:',
        '- name: PodSecurity',
        '  configuration:',
        '    apiVersion: pod-security.admission.config.k8s.io/v1',
        '    kind: PodSecurityConfiguration',
        '    defaults: {enforce: baseline}',
        '    exemptions: {namespaces: [tools]}',
        '',
      ].join('\n'),
    );
    s = await startServerProcess({
      datastoreEndpoint: 'memory://',
      args: ['--admission-control-config-file', config],
    });
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('an unlabelled namespace gets the default level; the exempt namespace none', async () => {
    const refused = await s.kubectl(['apply', '-f', '-'], { input: hostPod('default') });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /pods "host" is forbidden: violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true\)/,
    );
    expectOk(await s.kubectl(['create', 'namespace', 'tools']), 'create namespace tools');
    const exempt = expectOk(
      await s.kubectl(['apply', '-f', '-'], { input: hostPod('tools') }),
      'apply in tools',
    );
    assert.match(exempt.stdout, /pod\/host created/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
