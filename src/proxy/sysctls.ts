/**
 * The kernel settings the proxy needs: forwarding (node ports and pod traffic to other nodes), bridged traffic
 * through iptables, without which a pod's reply to another pod on the same bridge skips conntrack and never gets
 * its service address back, and route_localnet, which lets connections to 127.0.0.1:NODEPORT be routed to a pod
 * once DNATed (kube-proxy's localhost node ports; the filter rule in rules.ts closes the hole it opens).
 */
import type { CommandRunner } from './command-runner.js';
import type { Logger } from '../util/logger.js';

const REQUIRED = 'net.ipv4.ip_forward';
const BRIDGE = 'net.bridge.bridge-nf-call-iptables';
const TCP_LIBERAL = 'net.netfilter.nf_conntrack_tcp_be_liberal';
const ROUTE_LOCALNET = 'net.ipv4.conf.all.route_localnet';

async function read(runner: CommandRunner, name: string): Promise<string | undefined> {
  const r = await runner.run(['sysctl', '-n', name]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

async function write(runner: CommandRunner, name: string, value: string): Promise<string | undefined> {
  if ((await read(runner, name)) === value) return undefined;
  const r = await runner.run(['sysctl', '-w', `${name}=${value}`]);
  return r.code === 0 ? undefined : (r.stderr || r.stdout).trim() || `exit ${r.code}`;
}

/**
 * Sets the sysctls; a failure on ip_forward throws, the others only warn. Tells whether node ports may be
 * offered on localhost (route_localnet is on).
 */
export async function ensureSysctls(
  runner: CommandRunner,
  log: Logger,
): Promise<{ localhostNodePorts: boolean }> {
  const forward = await write(runner, REQUIRED, '1');
  if (forward) throw new Error(`cannot set ${REQUIRED}=1: ${forward}`);
  await ensureBridgeNetfilter(
    runner,
    log,
    'pods reaching a service backed by a pod on the same bridge may fail',
  );
  const localnet = await write(runner, ROUTE_LOCALNET, '1');
  if (localnet)
    log.warn(`cannot set ${ROUTE_LOCALNET}=1 (${localnet}): node ports are not offered on localhost`);
  return { localhostNodePorts: localnet === undefined };
}

/**
 * Turns on iptables for bridged packets (packets between pods of one node cross the bridge, not the routing
 * table), loading br_netfilter when its sysctl is missing; when that fails, or it cannot be set, warns with
 * `consequence`.
 */
export async function ensureBridgeNetfilter(
  runner: CommandRunner,
  log: Logger,
  consequence: string,
): Promise<void> {
  if ((await read(runner, BRIDGE)) === undefined) {
    // A module on most distributions, loaded by nothing else (k3s loads it too).
    await runner.run(['modprobe', 'br_netfilter']).catch(() => undefined);
  }
  if ((await read(runner, BRIDGE)) === undefined) {
    log.warn(`${BRIDGE} is missing (no br_netfilter): ${consequence}`);
    return;
  }
  const failed = await write(runner, BRIDGE, '1');
  if (failed) log.warn(`cannot set ${BRIDGE}=1 (${failed}): ${consequence}`);
}

/** Whether conntrack accepts out-of-window TCP packets (then INVALID packets need no DROP rule). */
export async function conntrackTcpLiberal(runner: CommandRunner): Promise<boolean> {
  const v = await read(runner, TCP_LIBERAL);
  return v !== undefined && v !== '0';
}
