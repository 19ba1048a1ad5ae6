/**
 * Service account credentials inside a real pod: the agent mounts the injected kube-api-access volume (a token
 * from the TokenRequest API bound to the pod, the cluster CA, the namespace) into a runc container, and the
 * token the container reads authenticates to the API server as the pod's service account. Needs root, runc or
 * crun, conmon, the CNI plugins and TUGBOAT_TEST_REGISTRY (.ci/run provides all of them).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { agentMissing, startAgentServer, stopAgentServer } from '../helpers/agent-host.js';
import type { ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const NODE = `${hostname()}-sa`;
const BUSYBOX = `${registry}/tugboat-test/busybox:latest`;
const NS = `sa-e2e-${process.pid}`;
const DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const skip = agentMissing();
if (skip) console.log(`# agent service account e2e skipped: ${skip}`);

void describe('service account token in a real pod', { skip: skip ?? false }, () => {
  let s: ServerProcess;

  async function ok(args: string[], input?: string): Promise<string> {
    const r = await s.kubectl(args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
    return r.stdout;
  }

  before(async () => {
    s = await startAgentServer(NODE);
  });
  after(async () => {
    try {
      await s?.kubectl(['delete', 'namespace', NS, '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
    } finally {
      await stopAgentServer(s);
    }
  });

  test('the pod reads its token, CA and namespace, and the token is the pod’s service account', async () => {
    await ok(['create', 'namespace', NS]);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reader', namespace: NS },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'c',
            image: BUSYBOX,
            command: [
              'sh',
              '-c',
              `cat ${DIR}/token; echo; echo ==; cat ${DIR}/namespace; echo; echo ==; cat ${DIR}/ca.crt; echo; echo ==; sleep 3600`,
            ],
          },
        ],
      },
    };
    await ok(['apply', '-f', '-'], JSON.stringify(pod));
    const logs = await waitFor(
      async () => {
        const r = await s.kubectl(['logs', '-n', NS, 'reader']);
        return r.code === 0 && r.stdout.split('==').length >= 4 ? r.stdout : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, message: 'the pod printed its credentials' },
    );
    const [token = '', namespace = '', ca = ''] = logs.split('\n==\n').map((x) => x.trim());
    assert.equal(namespace, NS);
    const serverCa = readFileSync(join(s.dataDir, 'server', 'tls', 'server-ca.crt'), 'utf8').trim();
    assert.equal(ca, serverCa);

    const live = JSON.parse(await ok(['get', 'pod', '-n', NS, 'reader', '-o', 'json'])) as Pod;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const k = claims['kubernetes.io'] as { pod: { uid: string }; node: { name: string }; warnafter: number };
    // The injected source asks for 3607 s; the API server extends such pod tokens to a year (as upstream).
    assert.equal(k.warnafter - Number(claims.iat), 3607);
    assert.equal(Number(claims.exp) - Number(claims.iat), 365 * 24 * 3600);
    assert.equal(k.pod.uid, live.metadata?.uid);
    assert.equal(k.node.name, NODE);

    // The same file seen through exec (the bind mount is read-only).
    const viaExec = await ok(['exec', '-n', NS, 'reader', '--', 'cat', `${DIR}/token`]);
    assert.equal(viaExec.trim(), token);
    const write = await s.kubectl(['exec', '-n', NS, 'reader', '--', 'sh', '-c', `echo x > ${DIR}/token`]);
    assert.notEqual(write.code, 0, 'the mount is read-only');

    const kubeconfig = join(s.cacheDir, 'sa-kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${s.server}\n    certificate-authority-data: ${Buffer.from(ca).toString('base64')}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`,
    );
    const me = await s.kubectl([
      '--kubeconfig',
      kubeconfig,
      '--token',
      token,
      'auth',
      'whoami',
      '-o',
      'json',
    ]);
    assert.equal(me.code, 0, me.stderr);
    const info = (
      JSON.parse(me.stdout) as { status: { userInfo: { username: string; extra: Record<string, string[]> } } }
    ).status.userInfo;
    assert.equal(info.username, `system:serviceaccount:${NS}:default`);
    assert.deepEqual(info.extra['authentication.kubernetes.io/pod-name'], ['reader']);
    assert.deepEqual(info.extra['authentication.kubernetes.io/node-name'], [NODE]);
  });
});
