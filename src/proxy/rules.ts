/**
 * The whole rule set of the proxy as iptables-restore input, one text per table, from Services, EndpointSlices
 * and what the tables hold now (for stale chains and missing jump rules). Pure: the proxier runs the texts with
 * `iptables-restore --noflush`, which flushes and refills exactly the chains declared here and leaves every
 * other chain of the table alone.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  EXTERNAL_SERVICES_CHAIN,
  FORWARD_CHAIN,
  LOCALNET_FIREWALL_CHAIN,
  MARK_MASQ_CHAIN,
  NODE_PORTS_CHAIN,
  POSTROUTING_CHAIN,
  PROXY_FIREWALL_CHAIN,
  SERVICES_CHAIN,
  isServiceChain,
} from './chain-names.js';
import { missingJumpLines } from './jump-rules.js';
import { RestoreText } from './restore-text.js';
import { writeServicePort } from './service-rules.js';
import {
  compareStrings,
  endpointsByServicePort,
  portKey,
  servicePorts,
  type EndpointInfo,
  type ServicePortInfo,
} from './service-ports.js';
import type { SavedTable } from './saved-table.js';

export interface RuleSetInput {
  services: Service[];
  slices: EndpointSlice[];
  /** This node: endpoints with this nodeName are local (traffic policy Local). */
  nodeName: string;
  /** Pod CIDR of the cluster; traffic from outside it to a cluster IP is masqueraded. */
  clusterCidr?: string;
  /** This node's address: a load balancer's source ranges that include it let the node reach the LB IPs. */
  nodeIP?: string;
  masqueradeAll?: boolean;
  /** Bit of the packet mark that asks for masquerade (kube-proxy's --iptables-masquerade-bit, 14). */
  masqueradeBit?: number;
  /** iptables supports MASQUERADE --random-fully (1.6.2 and later). */
  randomFully: boolean;
  /** route_localnet is on: node ports answer on 127.0.0.1 too (kube-proxy's --iptables-localhost-nodeports). */
  localhostNodePorts?: boolean;
  /** net.netfilter.nf_conntrack_tcp_be_liberal is set: no DROP of INVALID forwarded packets. */
  conntrackTcpLiberal?: boolean;
  /** The tables as iptables-save printed them before this sync. */
  current: { nat: SavedTable; filter: SavedTable };
}

export interface RuleSet {
  filter: string;
  nat: string;
  /** The service ports and their endpoints the rules were built from (for the conntrack cleanup). */
  ports: ServicePortInfo[];
  endpoints: Map<string, EndpointInfo[]>;
}

export function buildRuleSet(input: RuleSetInput): RuleSet {
  const mark = `0x${(1 << (input.masqueradeBit ?? 14)).toString(16)}`;
  const filter = new RestoreText('filter');
  const nat = new RestoreText('nat');
  for (const c of [SERVICES_CHAIN, EXTERNAL_SERVICES_CHAIN, FORWARD_CHAIN, PROXY_FIREWALL_CHAIN])
    filter.chain(c);
  for (const c of [SERVICES_CHAIN, NODE_PORTS_CHAIN, POSTROUTING_CHAIN, MARK_MASQ_CHAIN]) nat.chain(c);
  const localhost = input.localhostNodePorts ?? false;
  if (localhost) filter.chain(LOCALNET_FIREWALL_CHAIN);
  for (const line of missingJumpLines('filter', input.current.filter, { localhostNodePorts: localhost })) {
    filter.rule(line);
  }
  for (const line of missingJumpLines('nat', input.current.nat)) nat.rule(line);

  // Marked packets are masqueraded once; the mark is cleared so a packet that re-enters the stack is not again.
  nat.rule('-A', POSTROUTING_CHAIN, '-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN');
  nat.rule('-A', POSTROUTING_CHAIN, '-j', 'MARK', '--xor-mark', mark);
  nat.rule(
    '-A',
    POSTROUTING_CHAIN,
    '-m',
    'comment',
    '--comment',
    '"kubernetes service traffic requiring SNAT"',
    '-j',
    'MASQUERADE',
    input.randomFully ? ['--random-fully'] : [],
  );
  nat.rule('-A', MARK_MASQ_CHAIN, '-j', 'MARK', '--or-mark', mark);

  const endpoints = endpointsByServicePort(input.slices, input.nodeName);
  const ports = input.services
    .flatMap(servicePorts)
    .sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.protocol, b.protocol));
  const ctx = {
    nat,
    filter,
    masqueradeAll: input.masqueradeAll ?? false,
    ...(input.clusterCidr ? { clusterCidr: input.clusterCidr } : {}),
    ...(input.nodeIP ? { nodeIP: input.nodeIP } : {}),
  };
  for (const port of ports) {
    const key = portKey(port.namespace, port.serviceName, port.portName, port.protocol);
    writeServicePort(ctx, port, endpoints.get(key) ?? []);
  }

  // Chains of services and endpoints that are gone: declaring flushes them, then they are deleted.
  const stale = [...input.current.nat.chains].filter((c) => isServiceChain(c) && !nat.has(c)).sort();
  for (const chain of stale) nat.chain(chain);
  for (const chain of stale) nat.rule('-X', chain);

  // Node ports last: only traffic that matched no service IP is looked at. Localhost only with route_localnet,
  // without which a DNATed packet from 127.0.0.1 could not leave the loopback device.
  nat.rule(
    '-A',
    SERVICES_CHAIN,
    '-m',
    'comment',
    '--comment',
    '"kubernetes service nodeports; NOTE: this must be the last rule in this chain"',
    '-m',
    'addrtype',
    '--dst-type',
    'LOCAL',
    localhost ? [] : ['!', '-d', '127.0.0.0/8'],
    '-j',
    NODE_PORTS_CHAIN,
  );
  if (localhost) {
    // route_localnet also lets packets from the network addressed to 127.0.0.0/8 in (upstream's CVE-2020-8558):
    // only those that are replies or were DNATed here pass.
    filter.rule(
      '-A',
      LOCALNET_FIREWALL_CHAIN,
      '-m',
      'comment',
      '--comment',
      '"block incoming localnet connections"',
      '-d',
      '127.0.0.0/8',
      '!',
      '-s',
      '127.0.0.0/8',
      '-m',
      'conntrack',
      '!',
      '--ctstate',
      'RELATED,ESTABLISHED,DNAT',
      '-j',
      'DROP',
    );
  }

  if (!input.conntrackTcpLiberal) {
    filter.rule('-A', FORWARD_CHAIN, '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP');
  }
  // Forward what we marked for masquerade (node ports) even when the FORWARD policy is DROP, and its replies.
  filter.rule(
    '-A',
    FORWARD_CHAIN,
    '-m',
    'comment',
    '--comment',
    '"kubernetes forwarding rules"',
    '-m',
    'mark',
    '--mark',
    `${mark}/${mark}`,
    '-j',
    'ACCEPT',
  );
  filter.rule(
    '-A',
    FORWARD_CHAIN,
    '-m',
    'comment',
    '--comment',
    '"kubernetes forwarding conntrack rule"',
    '-m',
    'conntrack',
    '--ctstate',
    'RELATED,ESTABLISHED',
    '-j',
    'ACCEPT',
  );
  return { filter: filter.text(), nat: nat.text(), ports, endpoints };
}
