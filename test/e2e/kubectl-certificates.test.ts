/**
 * The upstream way to give a person a client certificate, with the real openssl and kubectl against
 * `tugboat server`: a key and a certificate signing request from openssl, a CertificateSigningRequest for the
 * kube-apiserver-client signer, `kubectl certificate approve`, the certificate the controller manager issues,
 * then kubectl as that user.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

function whyMissing(): string | undefined {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    // CI installs it and must not skip these tests.
    if (process.env.CI) throw new Error('openssl is not installed (CI must not skip the certificate e2e)');
    return 'openssl is not installed (see .ci/run)';
  }
}
const skip = whyMissing();
if (skip) console.log(`# kubectl-certificates e2e skipped: ${skip}`);

void describe('kubectl certificate approve issues a client certificate', { skip: skip ?? false }, () => {
  let s: ServerProcess;
  const ok = async (args: string[], input?: string): Promise<string> =>
    expectOk(await s.kubectl(args, input === undefined ? {} : { input }), `kubectl ${args.join(' ')}`).stdout;
  const file = (name: string): string => join(s.cacheDir, name);

  /** openssl's key and request for `subject`; the manifest of a CertificateSigningRequest for it. */
  function request(
    name: string,
    subject: string,
    signerName = 'kubernetes.io/kube-apiserver-client',
  ): string {
    execFileSync('openssl', ['genrsa', '-out', file(`${name}.key`), '2048'], { stdio: 'ignore' });
    execFileSync('openssl', [
      'req',
      '-new',
      '-key',
      file(`${name}.key`),
      '-subj',
      subject,
      '-out',
      file(`${name}.csr`),
    ]);
    return JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: {
        request: readFileSync(file(`${name}.csr`)).toString('base64'),
        signerName,
        expirationSeconds: 86400,
        usages: ['client auth'],
      },
    });
  }

  before(async () => {
    s = await startServerProcess({ datastoreEndpoint: 'memory://' });
  });
  after(async () => {
    await s?.stop();
  });

  test('a pending request, approved, is issued; its certificate signs kubectl in as the user', async () => {
    await ok(['apply', '-f', '-'], request('jane', '/CN=jane/O=devs/O=ops'));
    const pending = await ok(['get', 'csr', 'jane']);
    assert.match(pending, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    assert.match(pending, /\njane\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+admin\s+24h\s+Pending\n$/);

    assert.equal(
      await ok(['certificate', 'approve', 'jane']),
      'certificatesigningrequest.certificates.k8s.io/jane approved\n',
    );
    const certificate = await waitFor(
      async () => (await ok(['get', 'csr', 'jane', '-o', 'jsonpath={.status.certificate}'])) || undefined,
      { timeoutMs: 30_000, message: 'the certificate issued' },
    );
    assert.match(await ok(['get', 'csr', 'jane']), /\sApproved,Issued\n$/);
    writeFileSync(file('jane.crt'), Buffer.from(certificate, 'base64'));
    const issued = execFileSync('openssl', [
      'x509',
      '-in',
      file('jane.crt'),
      '-noout',
      '-subject',
      '-enddate',
    ]).toString();
    assert.match(issued, /CN ?= ?jane/);
    const notAfter = Date.parse(/notAfter=(.*)/.exec(issued)![1]!);
    assert.ok(notAfter <= Date.now() + 86_400_000 + 60_000, `at most the requested day: ${issued}`);

    const kubeconfig = file('jane-kubeconfig');
    writeFileSync(kubeconfig, readFileSync(s.kubeconfig));
    const asJane = ['--kubeconfig', kubeconfig];
    await ok([
      ...asJane,
      'config',
      'set-credentials',
      'jane',
      `--client-certificate=${file('jane.crt')}`,
      `--client-key=${file('jane.key')}`,
      '--embed-certs',
    ]);
    await ok([...asJane, 'config', 'set-context', '--current', '--user=jane']);
    const me = JSON.parse(await ok([...asJane, 'auth', 'whoami', '-o', 'json'])) as {
      status: { userInfo: { username: string; groups: string[] } };
    };
    assert.equal(me.status.userInfo.username, 'jane');
    assert.deepEqual(me.status.userInfo.groups, ['devs', 'ops', 'system:authenticated']);
    // A user with no bindings: authenticated, and refused by RBAC.
    const pods = await s.kubectl([...asJane, 'get', 'pods']);
    assert.notEqual(pods.code, 0);
    assert.match(pods.stderr, /User "jane" cannot list resource "pods"/);
  });

  test('a denied request is never issued; kubectl says so when asked again', async () => {
    await ok(['apply', '-f', '-'], request('mallory', '/CN=mallory'));
    assert.equal(
      await ok(['certificate', 'deny', 'mallory']),
      'certificatesigningrequest.certificates.k8s.io/mallory denied\n',
    );
    const again = await s.kubectl(['certificate', 'approve', 'mallory']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /certificate signing request "mallory" is already Denied/);
    await new Promise((r) => setTimeout(r, 2000));
    assert.match(await ok(['get', 'csr', 'mallory']), /\sDenied\n$/);
  });

  test('system:masters is refused for the kube-apiserver-client signer', async () => {
    const r = await s.kubectl(['apply', '-f', '-'], { input: request('root', '/CN=root/O=system:masters') });
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /use of kubernetes\.io\/kube-apiserver-client signer with system:masters group is not allowed/,
    );
  });
});
