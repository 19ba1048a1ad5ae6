/**
 * The audit log with the real kubectl against `tugboat server --audit-policy-file … --audit-log-path …`:
 * kubectl's requests appear as JSON lines of audit.k8s.io/v1 Events at the levels the policy gives (Secrets at
 * Metadata, so their data never reaches the log), with the Audit-Id kubectl saw, a refused request with its
 * status, and the log rotated at its size limit. A second server sends its events to a webhook instead (a
 * kubeconfig naming a receiver on loopback). A bad policy stops the server with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

interface Event {
  level: string;
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username?: string; groups?: string[] };
  userAgent?: string;
  objectRef?: Record<string, string>;
  responseStatus?: { code?: number; reason?: string };
  requestObject?: unknown;
  responseObject?: unknown;
  annotations?: Record<string, string>;
}

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"]
  - level: None
    userGroups: ["system:nodes", "system:serviceaccounts:kube-system"]
  - level: Metadata
    resources: [{ group: "", resources: ["secrets"] }]
  - level: RequestResponse
    resources: [{ group: "", resources: ["configmaps"] }]
  - level: Metadata
`;

void describe('kubectl and the audit log', () => {
  let s: ServerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-audit-'));
  const logPath = join(dir, 'audit', 'audit.log');
  const ok = async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> =>
    expectOk(await s.kubectl(args, input === undefined ? {} : { input }), `kubectl ${args.join(' ')}`);
  const events = (): Event[] =>
    readFileSync(logPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Event);
  const kubectlEvents = (): Event[] => events().filter((e) => e.userAgent?.startsWith('kubectl'));

  before(async () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, POLICY);
    s = await startServerProcess({
      datastoreEndpoint: 'memory://',
      args: ['--audit-policy-file', policy, '--audit-log-path', logPath, '--audit-log-maxsize', '1'],
    });
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('kubectl’s writes and reads are logged at the levels the policy gives', async () => {
    await ok(['create', 'configmap', 'settings', '--from-literal=mode=fast']);
    await ok(['create', 'secret', 'generic', 'token', '--from-literal=password=hunter2']);
    await ok(['get', 'secret', 'token', '-o', 'name']);
    assert.equal(statSync(logPath).mode & 0o777, 0o600);

    const created = await waitFor(() =>
      kubectlEvents().find((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps'),
    );
    assert.equal(created.level, 'RequestResponse');
    assert.equal(created.stage, 'ResponseComplete');
    assert.equal(created.user.username, 'admin');
    assert.deepEqual(created.user.groups, ['system:masters', 'system:authenticated']);
    assert.equal(created.objectRef?.name, 'settings');
    assert.equal(created.responseStatus?.code, 201);
    // kubectl's generator sent protobuf: the decoded object is what is logged.
    assert.equal((created.requestObject as { data?: { mode?: string } }).data?.mode, 'fast');
    assert.equal((created.responseObject as { data?: unknown }).data !== undefined, true);
    assert.equal(created.annotations?.['authorization.k8s.io/decision'], 'allow');

    const secretEvents = kubectlEvents().filter((e) => e.objectRef?.resource === 'secrets');
    assert.deepEqual(
      secretEvents.map((e) => [e.verb, e.level]),
      [
        ['create', 'Metadata'],
        ['get', 'Metadata'],
      ],
    );
    const log = readFileSync(logPath, 'utf8');
    assert.equal(log.includes('hunter2'), false, 'no secret value in the log');
    assert.equal(log.includes(Buffer.from('hunter2').toString('base64')), false, 'nor its base64');
    assert.equal(
      events().some((e) => e.stage === 'RequestReceived' || e.requestURI.startsWith('/healthz')),
      false,
    );
  });

  test('the Audit-Id kubectl sees names the event; a refused request carries its status', async () => {
    const refused = await s.kubectl(['get', 'configmap', 'missing', '-v=6']);
    assert.notEqual(refused.code, 0);
    const event = await waitFor(() =>
      kubectlEvents().find((e) => e.objectRef?.name === 'missing' && e.stage === 'ResponseComplete'),
    );
    assert.equal(event.responseStatus?.code, 404);
    assert.equal(event.responseStatus?.reason, 'NotFound');
    const applied = await ok(
      ['apply', '-f', '-', '-v=8'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'applied' },
        data: { x: '1' },
      }),
    );
    // kubectl -v=8 prints each request's URL, then its response headers (Audit-Id among them).
    const ids = new Map<string, string>();
    let lastUrl = '';
    for (const line of applied.stderr.split('\n')) {
      const url = /(?:GET|POST|PATCH|PUT) (https:\/\/\S+)/.exec(line)?.[1];
      if (url) lastUrl = new URL(url).pathname;
      const id = /Audit-Id: ([0-9a-f-]{36})/.exec(line)?.[1];
      if (id) ids.set(id, lastUrl);
    }
    const [id, path] = [...ids].find(([, p]) => p.startsWith('/api/v1/namespaces/default/configmaps')) ?? [];
    assert.ok(
      id,
      `kubectl -v=8 prints the Audit-Id of its configmaps requests: ${[...ids.values()].join(' ')}`,
    );
    const byId = await waitFor(() => kubectlEvents().find((e) => e.auditID === id));
    assert.equal(byId.requestURI.split('?')[0], path);
  });

  test('the log rotates at --audit-log-maxsize', async () => {
    // ConfigMaps are logged at RequestResponse: a few hundred KiB of data each pass 1 MB quickly.
    const big = 'x'.repeat(200_000);
    for (let i = 0; i < 4; i++) {
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `big-${i}` },
          data: { big },
        }),
      );
    }
    const rotated = await waitFor(() =>
      readdirSync(join(dir, 'audit')).find((f) =>
        /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/.test(f),
      ),
    );
    assert.ok(statSync(join(dir, 'audit', rotated)).size <= 1024 * 1024);
    assert.ok(statSync(logPath).size <= 1024 * 1024);
  });
});

test('a policy that does not validate stops the server with the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-audit-bad-'));
  try {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Loud\n');
    await assert.rejects(
      startServerProcess({
        datastoreEndpoint: 'memory://',
        args: ['--audit-policy-file', policy, '--audit-log-path', join(dir, 'audit.log')],
        readyTimeoutMs: 20_000,
      }),
      /loading audit policy file: rules\[0\]\.level: Unsupported value: "Loud": supported values: "None", "Metadata", "Request", "RequestResponse": from file /,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void describe('the audit webhook', () => {
  let s: ServerProcess;
  let receiver: Server;
  const batches: { authorization?: string; items: Event[] }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-audit-hook-'));

  before(async () => {
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        const body = JSON.parse(text) as { kind: string; items: Event[] };
        assert.equal(body.kind, 'EventList');
        batches.push({
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          items: body.items,
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as { port: number }).port;
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    writeFileSync(
      join(dir, 'hook.kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: hook, cluster: {server: "http://127.0.0.1:' + port + '/audit"}}]',
        'users: [{name: api, user: {token: hook-secret}}]',
        'contexts: [{name: default, context: {cluster: hook, user: api}}]',
        'current-context: default',
        '',
      ].join('\n'),
    );
    s = await startServerProcess({
      datastoreEndpoint: 'memory://',
      args: [
        '--audit-policy-file',
        join(dir, 'policy.yaml'),
        '--audit-webhook-config-file',
        join(dir, 'hook.kubeconfig'),
        '--audit-webhook-batch-max-wait',
        '500ms',
      ],
    });
  });
  after(async () => {
    await s?.stop();
    await new Promise<void>((r) => receiver.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('kubectl’s requests reach the webhook in batches, with the kubeconfig’s token', async () => {
    expectOk(await s.kubectl(['create', 'configmap', 'hooked', '--from-literal=a=b']), 'create');
    const event = await waitFor(() =>
      batches.flatMap((b) => b.items).find((e) => e.verb === 'create' && e.objectRef?.name === 'hooked'),
    );
    assert.equal(event.level, 'RequestResponse');
    assert.equal(event.responseStatus?.code, 201);
    assert.ok(batches.every((b) => b.authorization === 'Bearer hook-secret'));
  });
});
