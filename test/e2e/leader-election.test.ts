/**
 * Standby replicas of the scheduler and the controller-manager as separate `tugboat` processes against a
 * `tugboat server` that runs neither: only the Lease holder acts, and when it is killed the other replica
 * takes the Lease over within 15 s and carries on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { waitFor } from '../../src/util/wait.js';
import { startHollowNodes, startTugboat, type TugboatProcess } from '../helpers/hollow.js';
import { startServerProcess, type ServerProcess } from '../helpers/kubectl.js';

/** What a dead leader may take to be replaced (the acceptance bound). */
const TAKEOVER_MS = 15_000;

let s: ServerProcess;
const processes: TugboatProcess[] = [];
const ns = ['-n', 'election'];

async function ok(...args: string[]): Promise<string> {
  const r = await s.kubectl(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
}

async function leaseHolder(lease: string): Promise<string> {
  const r = await s.kubectl([
    'get',
    'lease',
    lease,
    '-n',
    'kube-system',
    '-o',
    'jsonpath={.spec.holderIdentity}',
  ]);
  return r.code === 0 ? r.stdout.trim() : '';
}

function start(component: 'scheduler' | 'controller-manager'): TugboatProcess {
  const p = startTugboat([component, '--kubeconfig', s.kubeconfig]);
  processes.push(p);
  return p;
}

/** The replica whose log says it became leader under `identity`. */
function replicaHolding(replicas: TugboatProcess[], identity: string): TugboatProcess | undefined {
  return replicas.find(
    (r) => r.output().includes(`"identity":"${identity}"`) && /became leader/.test(r.output()),
  );
}

/**
 * Two replicas: one leads and acts (checked by `acts`), the other stands by. SIGKILL the leader: the other
 * holds the Lease within TAKEOVER_MS and acts (checked by `actsAgain`).
 */
async function takeover(
  component: 'scheduler' | 'controller-manager',
  lease: string,
  acts: () => Promise<void>,
  actsAgain: () => Promise<void>,
  note: (message: string) => void,
): Promise<void> {
  const replicas = [start(component), start(component)];
  const first = await waitFor(
    async () => {
      const holder = await leaseHolder(lease);
      const leader = holder ? replicaHolding(replicas, holder) : undefined;
      return leader ? { holder, leader } : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, message: `a ${component} replica holding ${lease}` },
  );
  const standby = replicas.find((r) => r !== first.leader)!;
  await acts();
  assert.doesNotMatch(standby.output(), /became leader/, 'the standby does not act while the leader lives');

  await first.leader.kill9();
  const killedAt = Date.now();
  const second = await waitFor(
    async () => {
      const holder = await leaseHolder(lease);
      return holder && holder !== first.holder ? holder : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, message: `${lease} taken over after the leader was killed` },
  );
  const tookMs = Date.now() - killedAt;
  note(`${lease} taken over ${tookMs} ms after the leader was killed`);
  assert.ok(tookMs <= TAKEOVER_MS, `${lease} taken over after ${tookMs} ms (at most ${TAKEOVER_MS})`);
  assert.equal(replicaHolding([standby], second), standby, 'the standby holds the lease now');
  await actsAgain();
  await standby.stop();
}

async function scheduledTo(name: string): Promise<string> {
  return waitFor(
    async () => {
      const out = await ok('get', 'pod', name, ...ns, '-o', 'jsonpath={.spec.nodeName}');
      return out.trim() || undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, message: `pod ${name} scheduled` },
  );
}

async function podsOf(app: string): Promise<Pod[]> {
  const out = await ok('get', 'pods', ...ns, '-l', `app=${app}`, '-o', 'json');
  return (JSON.parse(out) as { items: Pod[] }).items;
}

before(async () => {
  s = await startServerProcess({
    datastoreEndpoint: 'memory://',
    args: ['--disable-scheduler', '--disable-controller-manager'],
  });
  processes.push(startHollowNodes(s.kubeconfig, 1, 'le-'));
  await waitFor(
    async () =>
      (
        await ok('get', 'node', 'le-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')
      ).trim() === 'True',
    { timeoutMs: 60_000, message: 'le-0 Ready' },
  );
  await ok('create', 'namespace', 'election');
  // No controller-manager runs yet to make the namespace's `default` ServiceAccount, and the ServiceAccount
  // admission plugin refuses pods whose account is missing (as upstream): make it by hand.
  await ok('create', 'serviceaccount', 'default', ...ns);
});

after(async () => {
  for (const p of processes) await p.stop();
  await s?.stop();
});

describe('leader election between standalone replicas', { concurrency: false }, () => {
  test('a standby scheduler takes over within 15 s of the leader being killed', async (t) => {
    await takeover(
      'scheduler',
      'kube-scheduler',
      async () => {
        await ok('run', 'before', ...ns, '--image=nginx', '--restart=Never');
        assert.equal(await scheduledTo('before'), 'le-0');
      },
      async () => {
        await ok('run', 'after', ...ns, '--image=nginx', '--restart=Never');
        assert.equal(await scheduledTo('after'), 'le-0');
      },
      (m) => t.diagnostic(m),
    );
  });

  test('a standby controller-manager takes over within 15 s of the leader being killed', async (t) => {
    // The scheduler is needed for the ReplicaSet's pods to be placed; one replica is enough here.
    start('scheduler');
    await takeover(
      'controller-manager',
      'kube-controller-manager',
      async () => {
        await ok('create', 'deployment', 'web', ...ns, '--image=nginx', '--replicas=2');
        await ok('rollout', 'status', 'deployment/web', ...ns, '--timeout=60s');
      },
      async () => {
        await ok('scale', 'deployment', 'web', ...ns, '--replicas=4');
        await ok('rollout', 'status', 'deployment/web', ...ns, '--timeout=60s');
        assert.equal((await podsOf('web')).filter((p) => p.status?.phase === 'Running').length, 4);
      },
      (m) => t.diagnostic(m),
    );
  });
});
