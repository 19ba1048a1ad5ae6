/** RBAC with the real kubectl: refusals, role bindings, auth can-i (--list), impersonation and escalation. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { waitFor } from '../../src/util/wait.js';
import { expectOk, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

let s: ServerProcess;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tugboat-e2e-rbac-'));
  s = await startServerProcess({ dataDir: join(dir, 'data') });
  await ok('create', 'namespace', 'team');
});
after(async () => {
  await s?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ok = async (...args: string[]): Promise<string> =>
  expectOk(await s.kubectl(args), `kubectl ${args.join(' ')}`).stdout;

/** `kubectl auth can-i` prints yes or no (and exits 1 for no). */
const canI = async (...args: string[]): Promise<string> =>
  (await s.kubectl(['auth', 'can-i', ...args])).stdout.trim();

test('a user without bindings is refused with upstream wording; a RoleBinding lets them in', async () => {
  const refused = await s.kubectl(['get', 'pods', '-n', 'team', '--as', 'jane']);
  assert.notEqual(refused.code, 0);
  assert.match(
    refused.stderr,
    /Error from server \(Forbidden\): pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "team"/,
  );
  assert.equal(await canI('list', 'pods', '-n', 'team', '--as', 'jane'), 'no');
  await ok('create', 'rolebinding', 'jane-view', '--clusterrole=view', '--user=jane', '-n', 'team');
  await waitFor(async () => (await canI('list', 'pods', '-n', 'team', '--as', 'jane')) === 'yes', {
    timeoutMs: 10_000,
  });
  assert.match(await ok('get', 'pods', '-n', 'team', '--as', 'jane'), /^$/);
  assert.equal(await canI('list', 'pods', '-n', 'default', '--as', 'jane'), 'no');
  assert.equal(
    await canI('get', 'secrets', '-n', 'team', '--as', 'jane'),
    'no',
    'view does not read secrets',
  );
  assert.equal(await canI('create', 'deployments', '-n', 'team', '--as', 'jane'), 'no');
  const list = await ok('auth', 'can-i', '--list', '-n', 'team', '--as', 'jane');
  assert.match(list, /pods\s+\[\]\s+\[\]\s+\[get list watch\]/);
  assert.match(list, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
});

test('edit lets a service account deploy; the admin can do anything', async () => {
  await ok('create', 'serviceaccount', 'ci', '-n', 'team');
  await ok(
    'create',
    'rolebinding',
    'ci-edit',
    '--clusterrole=edit',
    '--serviceaccount=team:ci',
    '-n',
    'team',
  );
  const sa = 'system:serviceaccount:team:ci';
  await waitFor(async () => (await canI('create', 'deployments', '-n', 'team', '--as', sa)) === 'yes', {
    timeoutMs: 10_000,
  });
  await ok('create', 'deployment', 'web', '--image=nginx', '-n', 'team', '--as', sa);
  assert.equal(await canI('create', 'pods/exec', '-n', 'team', '--as', sa), 'yes');
  assert.equal(
    await canI('create', 'rolebindings', '-n', 'team', '--as', sa),
    'no',
    'edit cannot grant access',
  );
  assert.equal(await canI('*', '*'), 'yes');
});

test('escalation is refused: a user may not grant what they do not hold', async () => {
  await ok('create', 'rolebinding', 'jane-admin', '--clusterrole=admin', '--user=jane', '-n', 'team');
  await waitFor(async () => (await canI('create', 'rolebindings', '-n', 'team', '--as', 'jane')) === 'yes', {
    timeoutMs: 10_000,
  });
  // admin holds edit's rules in team, so binding edit there is fine; cluster-admin's are not held.
  await ok(
    'create',
    'rolebinding',
    'bob-edit',
    '--clusterrole=edit',
    '--user=bob',
    '-n',
    'team',
    '--as',
    'jane',
  );
  const r = await s.kubectl([
    'create',
    'rolebinding',
    'bob-root',
    '--clusterrole=cluster-admin',
    '--user=bob',
    '-n',
    'team',
    '--as',
    'jane',
  ]);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /rolebindings.rbac.authorization.k8s.io "bob-root" is forbidden: user "jane" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:/,
  );
  // Impersonating with explicit groups: those groups only (system:authenticated lets bob ask who he is).
  const whoami = await ok(
    'auth',
    'whoami',
    '--as',
    'bob',
    '--as-group',
    'qa',
    '-o',
    'jsonpath={.status.userInfo.groups}',
  );
  assert.equal(whoami, '["qa","system:authenticated"]');
});
