/**
 * `tugboat server` with its node agent on this host, and readings of what the agent's oci runtime holds on the
 * host (runc/crun containers, network namespaces, cgroups, mounts, IP allocations, iptables rules), for the
 * agent e2e tests and the pod-start benchmark. Needs root; the agent e2e files run one after another (`npm run test:agent`): they share the tugboat0 bridge.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import { isNetworkPolicyChain } from '../../src/netpol/index.js';
import { podNetworkRules, ROUTE_PROTOCOL, VXLAN_DEVICE } from '../../src/podnet/index.js';
import { cleanupText, parseSave } from '../../src/proxy/index.js';
import { waitFor } from '../../src/util/wait.js';
import { startServerProcess, type ServerProcess } from './kubectl.js';

/** Why the agent cannot run real containers here (or a test lacks one of `commands`); undefined when it can. */
export function agentMissing(commands: string[] = []): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!process.env.TUGBOAT_TEST_REGISTRY) return 'TUGBOAT_TEST_REGISTRY is not set (see .ci/run)';
  const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (!has('runc') && !has('crun')) return 'runc or crun missing';
  if (!has('conmon')) return 'conmon missing';
  if (!existsSync('/usr/lib/cni/bridge')) return 'CNI plugins missing in /usr/lib/cni';
  for (const c of commands) if (!has(c)) return `${c} missing`;
  return undefined;
}

export interface AgentServerOptions {
  /** Reuse this data dir (kept by stop()), e.g. across a kill -9 and a restart. */
  dataDir?: string;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  nodeArgs?: string[];
}

/** Starts the server with its agent (on a free agent port) and waits for the node to be Ready with a pod CIDR. */
export async function startAgentServer(node: string, opts: AgentServerOptions = {}): Promise<ServerProcess> {
  const s = await startServerProcess({
    agent: true,
    args: ['--node-name', node, '--kubelet-port', '0', ...(opts.extraArgs ?? [])],
    readyTimeoutMs: 60_000,
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
  });
  try {
    await waitFor(
      async () => {
        const r = await s.kubectl(['get', 'node', node, '-o', 'json']);
        if (r.code !== 0) return undefined;
        const n = JSON.parse(r.stdout) as Node;
        const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
        return ready && n.spec?.podCIDR ? n : undefined;
      },
      { timeoutMs: 60_000, message: `the agent node ${node} is Ready with a pod CIDR` },
    );
  } catch (err) {
    await s.stop();
    throw new Error(`${(err as Error).message}\nserver output:\n${s.output().slice(-4000)}`);
  }
  return s;
}

const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';
/** As this test process found it: the agent's service proxy turns it on (localhost node ports). */
const routeLocalnetBefore = existsSync(ROUTE_LOCALNET)
  ? readFileSync(ROUTE_LOCALNET, 'utf8').trim()
  : undefined;

/**
 * What outlives the agent by design: the bridge, the top cgroup directory, the service proxy's and the network
 * policy agent's iptables chains (kept across restarts, as kube-proxy keeps them) and route_localnet. Remove
 * ours, restore that.
 */
export function removeHostLeftovers(): void {
  if (
    routeLocalnetBefore !== undefined &&
    readFileSync(ROUTE_LOCALNET, 'utf8').trim() !== routeLocalnetBefore
  ) {
    writeFileSync(ROUTE_LOCALNET, routeLocalnetBefore);
  }
  spawnSync('ip', ['link', 'del', 'tugboat0']);
  for (const table of ['filter', 'nat'] as const) {
    const saved = spawnSync('iptables-save', ['-t', table], { encoding: 'utf8' }).stdout ?? '';
    const text = cleanupText(table, parseSave(saved));
    if (text) spawnSync('iptables-restore', ['--noflush', '-w', '5'], { input: text });
  }
  // The network policy agent's chains, in the filter table.
  const filter = spawnSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' }).stdout ?? '';
  const policyText = cleanupText('filter', parseSave(filter), isNetworkPolicyChain);
  if (policyText) spawnSync('iptables-restore', ['--noflush', '-w', '5'], { input: policyText });
  // The pod network's rules and routes, for the default cluster CIDR the tests' servers use.
  for (const rule of podNetworkRules('10.42.0.0/16')) {
    const del = ['-w', '-t', rule.table, '-D', rule.chain, ...rule.args];
    while (spawnSync('iptables', del).status === 0) {
      // a rule added twice goes too
    }
  }
  spawnSync('ip', ['-4', 'route', 'flush', 'proto', ROUTE_PROTOCOL]);
  // The VXLAN device (its neighbour and forwarding entries go with it).
  spawnSync('ip', ['link', 'del', VXLAN_DEVICE]);
  for (const dir of tugboatCgroupDirs()) {
    if (existsSync(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        // not empty: something else of ours still runs; leave it rather than fail the cleanup
      }
    }
  }
}

/** Network namespaces the runtime made (it names them tugboat-<sandbox id>). */
export function podNetns(): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith('tugboat-'));
}

/** The agent's top cgroup directory in each hierarchy (cgroup v1), or the one of the unified tree (v2). */
function tugboatCgroupDirs(): string[] {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return ['/sys/fs/cgroup/tugboat'];
  return readdirSync('/sys/fs/cgroup').map((h) => `/sys/fs/cgroup/${h}/tugboat`);
}

/** Pod cgroup directories (`tugboat/pod<uid>`) in any hierarchy, as `<hierarchy dir>/pod<uid>`. */
export function podCgroups(): string[] {
  const out: string[] = [];
  for (const dir of tugboatCgroupDirs()) {
    if (!existsSync(dir)) continue;
    for (const d of readdirSync(dir)) if (d.startsWith('pod')) out.push(`${dir}/${d}`);
  }
  return out;
}

/** Mount points under dir (overlay rootfs, held IPC/UTS namespaces). */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((m) => m.startsWith(`${dir}/`));
}

export function iptablesSave(): string {
  return spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout ?? '';
}

export interface SandboxRecordView {
  id: string;
  config: { metadata: { name: string; uid: string } };
  state: string;
  netnsName?: string;
  ip?: string;
}

export interface ContainerRecordView {
  id: string;
  podSandboxId: string;
  pid: number;
  conmon?: { pid: number; startTicks: number };
  config: { labels: Record<string, string> };
}

/** The agent's oci runtime state under `<data dir>/agent/oci`. */
export class OciState {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'agent', 'oci');
  }

  private records<T>(kind: string): T[] {
    const dir = join(this.dir, kind);
    if (!existsSync(dir)) return [];
    const out: T[] = [];
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      try {
        out.push(JSON.parse(readFileSync(join(dir, f), 'utf8')) as T);
      } catch {
        // removed or being replaced meanwhile
      }
    }
    return out;
  }

  sandboxes(): SandboxRecordView[] {
    return this.records<SandboxRecordView>('sandboxes');
  }

  containers(): ContainerRecordView[] {
    return this.records<ContainerRecordView>('containers');
  }

  /** runc or crun, whichever state root the runtime made (the first, when pods used both). */
  runtimeName(): 'runc' | 'crun' | undefined {
    return this.runtimeNames()[0];
  }

  /** Every OCI binary with a state root here: the default's, and those pods' runtime handlers chose. */
  runtimeNames(): ('runc' | 'crun')[] {
    return (['runc', 'crun'] as const).filter((n) => existsSync(join(this.dir, n)));
  }

  /** `<runtime> --root <ours> list` of each binary: the OCI containers that exist, with their status. */
  runtimeContainers(): { id: string; status: string; pid: number; runtime: 'runc' | 'crun' }[] {
    return this.runtimeNames().flatMap((name) => {
      const r = spawnSync(name, ['--root', join(this.dir, name), 'list', '--format', 'json'], {
        encoding: 'utf8',
      });
      const text = (r.stdout ?? '').trim();
      if (r.status !== 0 || !text || text === 'null') return [];
      return (JSON.parse(text) as { id: string; status: string; pid: number }[]).map((c) => ({
        ...c,
        runtime: name,
      }));
    });
  }

  /** IPs host-local still holds for our network (files named by address in the IPAM dir). */
  allocatedIps(): string[] {
    const dir = join(this.dir, 'cni', 'ipam', 'tugboat');
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
  }
}

/** Whether the process with this pid and /proc start time still lives (not a recycled pid). */
export function processAlive(pid: number, startTicks?: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return false;
    return startTicks === undefined || Number(rest[19]) === startTicks;
  } catch {
    return false;
  }
}

/** Deletes the workloads and pods (so the agent tears their sandboxes down), stops the server, removes leftovers. */
export async function stopAgentServer(s: ServerProcess | undefined): Promise<void> {
  if (!s) return;
  await s.kubectl(['delete', 'deployments', '--all', '--wait=true', '--timeout=30s'], { timeoutMs: 60_000 });
  await s.kubectl(['delete', 'pods', '--all', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
  await s.stop();
  removeHostLeftovers();
}

/** GET / of a pod's HTTP server (the busybox test image on 8080), as the host sees it. */
export function podHttpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
