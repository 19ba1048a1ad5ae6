/**
 * Agents joining a server as users run them: the built `tugboat server` (no agent of its own), `tugboat agent`
 * processes given its URL and the token from DATA_DIR/server/node-token, and the real kubectl. The agents use the
 * process runtime, so this needs no runc or CNI (and leaves no network state behind); pods pull their image from
 * TUGBOAT_TEST_REGISTRY, as the agent tests do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { startTugboat, type TugboatProcess } from '../helpers/hollow.js';
import { kubectl, startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

const registry = process.env.TUGBOAT_TEST_REGISTRY;
const BUSYBOX = `${registry}/tugboat-test/busybox:latest`;
const NODE = `joined-${process.pid}`;

function whyMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (the agent keeps pods under a root-owned data dir)';
  if (!registry) return 'TUGBOAT_TEST_REGISTRY is not set (see .ci/run)';
  return undefined;
}
const skip = whyMissing();
if (skip) console.log(`# join e2e skipped: ${skip}`);

let s: ServerProcess;
let token: string;
const agents: TugboatProcess[] = [];
const dirs: string[] = [];

function agentDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tugboat-join-'));
  dirs.push(dir);
  return dir;
}

function startAgent(dataDir: string, nodeName: string, joinToken = token): TugboatProcess {
  const agent = startTugboat([
    'agent',
    '--server',
    s.server,
    '--token',
    joinToken,
    '--data-dir',
    dataDir,
    '--node-name',
    nodeName,
    '--kubelet-port',
    '0',
    '--container-runtime',
    'process',
  ]);
  agents.push(agent);
  return agent;
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await s.kubectl(args, { timeoutMs: 120_000, ...(input === undefined ? {} : { input }) });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

async function exitOf(agent: TugboatProcess): Promise<string> {
  await waitFor(() => agent.exited(), { timeoutMs: 60_000, message: 'the agent exits' });
  return agent.output();
}

void describe(
  'tugboat agent joins a server with its token',
  { skip: skip ?? false, concurrency: false },
  () => {
    let firstDir: string;

    before(async () => {
      s = await startServerProcess();
      token = readFileSync(join(s.dataDir, 'server', 'node-token'), 'utf8').trim();
      firstDir = agentDir();
      startAgent(firstDir, NODE);
    });

    after(async () => {
      if (s)
        await s.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
      for (const a of agents) await a.stop();
      await s?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    test('the joined node registers Ready under its own name and identity', async () => {
      const node = await waitFor(
        async () => {
          const r = await s.kubectl(['get', 'node', NODE, '-o', 'json']);
          const n = r.code === 0 ? (JSON.parse(r.stdout) as Node) : undefined;
          const ready = n?.status?.conditions?.find((c) => c.type === 'Ready');
          return ready?.status === 'True' ? n : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, message: `${NODE} Ready\n${agents[0]?.output()}` },
      );
      assert.match(node.spec?.podCIDR ?? '', /^10\.42\.\d+\.0\/24$/);
      // The agent's credentials name the node, as a kubelet's do.
      const whoami = await kubectl(['auth', 'whoami', '-o', 'json', ...nodeCredentials(firstDir)]);
      assert.equal(whoami.code, 0, whoami.stderr);
      const review = JSON.parse(whoami.stdout) as {
        status: { userInfo: { username: string; groups: string[] } };
      };
      assert.equal(review.status.userInfo.username, `system:node:${NODE}`);
      assert.ok(review.status.userInfo.groups.includes('system:nodes'));
    });

    test('a pod runs on the joined node, reads its Secret, and its logs come through the server', async () => {
      await ok(['create', 'secret', 'generic', 'greeting', '--from-literal=word=ahoy']);
      await ok(['create', 'secret', 'generic', 'unrelated', '--from-literal=word=private']);
      await ok(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'hello' },
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'c',
                image: BUSYBOX,
                command: ['sh', '-c', 'echo "$WORD from $NODE"'],
                env: [
                  { name: 'WORD', valueFrom: { secretKeyRef: { name: 'greeting', key: 'word' } } },
                  { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                ],
              },
            ],
          },
        }),
      );
      await waitFor(
        async () => {
          const pod = JSON.parse(await ok(['get', 'pod', 'hello', '-o', 'json'])) as Pod;
          return pod.status?.phase === 'Succeeded' ? pod : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 500, message: 'hello Succeeded' },
      );
      assert.equal(await ok(['logs', 'hello']), `ahoy from ${NODE}\n`);

      // The node may read the Secret its pod uses, and nothing else of the kind.
      const creds = nodeCredentials(firstDir);
      const mine = await kubectl(['get', 'secret', 'greeting', '-o', 'name', ...creds]);
      assert.equal(mine.code, 0, mine.stderr);
      const other = await kubectl(['get', 'secret', 'unrelated', ...creds]);
      assert.notEqual(other.code, 0);
      assert.match(other.stderr, /Forbidden/);
      const list = await kubectl(['get', 'secrets', ...creds]);
      assert.match(list.stderr, /Forbidden/);
    });

    test('a node may not modify another node', async () => {
      await ok(
        ['create', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'other' } }),
      );
      const r = await kubectl(['label', 'node', 'other', 'taken=yes', ...nodeCredentials(firstDir)]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Forbidden/);
      const own = await kubectl(['annotate', 'node', NODE, 'checked=yes', ...nodeCredentials(firstDir)]);
      assert.equal(own.code, 0, own.stderr);
      await ok(['delete', 'node', 'other']);
    });

    test('a wrong token is refused and the agent exits', async () => {
      const out = await exitOf(startAgent(agentDir(), 'intruder', 'not-the-token'));
      assert.match(out, /cannot join: the server refused the join token/);
      assert.equal((await s.kubectl(['get', 'node', 'intruder'])).code, 1);
    });

    test("a token with another cluster's CA hash is refused before the token is sent", async () => {
      const password = token.slice(token.lastIndexOf(':') + 1);
      const out = await exitOf(
        startAgent(agentDir(), 'intruder', `K10${'0'.repeat(64)}::server:${password}`),
      );
      assert.match(out, /does not match the hash in the join token/);
    });

    test('the agent needed nothing its node identity may not do', () => {
      assert.doesNotMatch(agents[0]!.output(), /forbidden/i);
    });

    test("another machine may not take a joined node's name", async () => {
      const out = await exitOf(startAgent(agentDir(), NODE));
      assert.match(
        out,
        new RegExp(`node "${NODE}" already joined from a machine with another node password`),
      );
    });
  },
);

/** kubectl flags that act with the joined agent's own credentials instead of the admin kubeconfig. */
function nodeCredentials(dataDir: string): string[] {
  const dir = join(dataDir, 'agent');
  return [
    '--kubeconfig=/dev/null',
    `--server=${s.server}`,
    `--certificate-authority=${join(dir, 'server-ca.crt')}`,
    `--client-certificate=${join(dir, 'client-kubelet.crt')}`,
    `--client-key=${join(dir, 'client-kubelet.key')}`,
  ];
}
