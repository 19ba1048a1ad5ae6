/**
 * NetworkPolicy as iptables-restore input for the filter table of one node, for the pods running on it. Pure.
 *
 * Packets to and from pods cross the node's FORWARD chain (bridged ones too, with bridge-nf-call-iptables), whose
 * first rule jumps to TUGBOAT-NETPOL: replies pass at once (policies are stateful), a packet to a pod isolated
 * for ingress goes through that pod's TUGBOAT-NPI chain and a packet from a pod isolated for egress through its
 * TUGBOAT-NPE chain. Each chain RETURNs what some policy selecting the pod allows and drops the rest; a packet
 * between two such pods of the node meets both. What the node itself sends to its pods and what pods send to the
 * node (probes, the node-local DNS) is not forwarded and so not filtered, as upstream leaves host traffic to the
 * implementation.
 */
import type { Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { labelSelectorFromObject } from '../api/labels.js';
import { containerPortByName } from '../api/pod-ports.js';
import { isPodTerminal } from '../api/pods.js';
import { cidrMinus } from '../util/cidr.js';
import { hash16 } from '../proxy/chain-names.js';
import { quote, RestoreText } from '../proxy/restore-text.js';
import { sameRule, type SavedTable } from '../proxy/saved-table.js';

export const NETPOL_CHAIN = 'TUGBOAT-NETPOL';
const INGRESS_PREFIX = 'TUGBOAT-NPI-';
const EGRESS_PREFIX = 'TUGBOAT-NPE-';
const JUMP = ['-m', 'comment', '--comment', 'tugboat network policies', '-j', NETPOL_CHAIN];

/** The chains this module makes, for cleanup. */
export function isNetworkPolicyChain(chain: string): boolean {
  return chain === NETPOL_CHAIN || chain.startsWith(INGRESS_PREFIX) || chain.startsWith(EGRESS_PREFIX);
}

export interface PolicyRuleInput {
  policies: NetworkPolicy[];
  /** Every pod of the cluster: peers may run anywhere. */
  pods: Pod[];
  namespaces: Namespace[];
  nodeName: string;
  /** The filter table as iptables-save printed it before this sync. */
  current: SavedTable;
}

interface PodInfo {
  namespace: string;
  name: string;
  ip: string;
  labels: Record<string, string>;
  pod: Pod;
}

/** Pods a policy can select or name as a peer: with an IP of their own, not finished. */
function policyPods(pods: Pod[]): PodInfo[] {
  const out: PodInfo[] = [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || pod.spec?.hostNetwork || isPodTerminal(pod)) continue;
    out.push({
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      ip,
      labels: pod.metadata?.labels ?? {},
      pod,
    });
  }
  return out;
}

/** Ingress always; Egress when the policy has egress rules (upstream's default of policyTypes). */
function policyTypes(p: NetworkPolicy): string[] {
  if (p.spec?.policyTypes?.length) return p.spec.policyTypes;
  return ['Ingress', ...((p.spec?.egress?.length ?? 0) > 0 ? ['Egress'] : [])];
}

/** The peer's addresses: CIDRs for an ipBlock, else the matching pods. */
type Peer = { cidrs: string[] } | { pods: PodInfo[] } | 'any';

function resolvePeer(
  peer: NetworkPolicyPeer,
  policyNamespace: string,
  pods: PodInfo[],
  nsLabels: Map<string, Record<string, string>>,
): Peer {
  if (peer.ipBlock) return { cidrs: cidrMinus(peer.ipBlock.cidr, peer.ipBlock.except ?? []) };
  const podSel = peer.podSelector ? labelSelectorFromObject(peer.podSelector) : undefined;
  const nsSel = peer.namespaceSelector ? labelSelectorFromObject(peer.namespaceSelector) : undefined;
  return {
    pods: pods.filter(
      (p) =>
        (nsSel ? nsSel.matches(nsLabels.get(p.namespace) ?? {}) : p.namespace === policyNamespace) &&
        (!podSel || podSel.matches(p.labels)),
    ),
  };
}

/** Match arguments of a policy port; undefined when it names a port the pod lacks (then it matches nothing). */
function portMatch(port: NetworkPolicyPort | undefined, target: Pod | undefined): string[] | undefined {
  if (!port) return [];
  const protocol = port.protocol ?? 'TCP';
  const proto = protocol.toLowerCase();
  if (port.port === undefined) return ['-p', proto];
  let number: number | undefined;
  if (typeof port.port === 'number') number = port.port;
  else if (/^\d+$/.test(port.port)) number = Number(port.port);
  else number = target ? containerPortByName(target, port.port, protocol) : undefined;
  if (number === undefined) return undefined;
  const range =
    port.endPort !== undefined && typeof port.port === 'number' ? `${number}:${port.endPort}` : `${number}`;
  return ['-p', proto, '-m', proto, '--dport', range];
}

interface RuleSpec {
  peers?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

/**
 * RETURN lines of one direction's chain for a local pod: every (peer address, port) some rule allows. For
 * ingress the ports are the pod's own; for egress a named port is looked up on each peer pod.
 */
function allowLines(
  chain: string,
  direction: 'ingress' | 'egress',
  local: PodInfo,
  policy: NetworkPolicy,
  rules: RuleSpec[],
  pods: PodInfo[],
  resolve: (peer: NetworkPolicyPeer, policyNamespace: string) => Peer,
): string[] {
  const addressFlag = direction === 'ingress' ? '-s' : '-d';
  const lines: string[] = [];
  const ns = policy.metadata?.namespace ?? '';
  for (const rule of rules) {
    const peers: Peer[] = rule.peers?.length ? rule.peers.map((p) => resolve(p, ns)) : ['any'];
    const ports = rule.ports?.length ? rule.ports : [undefined];
    for (const peer of peers) {
      // Each address with the pod whose named ports it stands for (egress), if any.
      const addresses: { address?: string; pod?: Pod }[] =
        peer === 'any'
          ? [{}]
          : 'cidrs' in peer
            ? peer.cidrs.map((address) => ({ address }))
            : peer.pods.map((p) => ({ address: `${p.ip}/32`, pod: p.pod }));
      for (const port of ports) {
        // Egress to anywhere on a named port: to the pods that declare it.
        const named =
          direction === 'egress' &&
          peer === 'any' &&
          typeof port?.port === 'string' &&
          !/^\d+$/.test(port.port);
        const targets = named ? pods.map((p) => ({ address: `${p.ip}/32`, pod: p.pod })) : addresses;
        for (const { address, pod } of targets) {
          const match = portMatch(port, direction === 'ingress' ? local.pod : pod);
          if (!match) continue;
          lines.push(
            ['-A', chain, ...(address ? [addressFlag, address] : []), ...match, '-j', 'RETURN'].join(' '),
          );
        }
      }
    }
  }
  return lines;
}

export function buildPolicyRules(input: PolicyRuleInput): string {
  const filter = new RestoreText('filter');
  filter.chain(NETPOL_CHAIN);
  const pods = policyPods(input.pods);
  const nsLabels = new Map(input.namespaces.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  const local = pods
    .filter((p) => p.pod.spec?.nodeName === input.nodeName)
    .sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));

  // The jump comes first in FORWARD, before anything that accepts forwarded packets.
  const forward = input.current.rules.filter((l) => l.startsWith('-A FORWARD '));
  if (!forward[0] || !sameRule(forward[0], ['-A', 'FORWARD', ...JUMP])) {
    for (const line of forward)
      if (sameRule(line, ['-A', 'FORWARD', ...JUMP])) filter.rule(`-D${line.slice(2)}`);
    filter.rule('-I', 'FORWARD', '1', ...JUMP.map(quote));
  }
  filter.rule('-A', NETPOL_CHAIN, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'RETURN');

  // Selectors compiled and peers resolved once per sync, whatever the number of local pods they concern.
  const selectors = new Map(
    input.policies.map((p) => [p, labelSelectorFromObject(p.spec?.podSelector ?? {})]),
  );
  const peers = new Map<NetworkPolicyPeer, Peer>();
  const resolve = (peer: NetworkPolicyPeer, ns: string): Peer => {
    let resolved = peers.get(peer);
    if (!resolved) peers.set(peer, (resolved = resolvePeer(peer, ns, pods, nsLabels)));
    return resolved;
  };
  const perPod: string[] = [];
  for (const pod of local) {
    const selecting = input.policies.filter(
      (p) => (p.metadata?.namespace ?? '') === pod.namespace && selectors.get(p)!.matches(pod.labels),
    );
    const key = hash16(`${pod.namespace}/${pod.name}`);
    const name = `${pod.namespace}/${pod.name}`;
    for (const direction of ['ingress', 'egress'] as const) {
      const type = direction === 'ingress' ? 'Ingress' : 'Egress';
      const policies = selecting.filter((p) => policyTypes(p).includes(type));
      if (policies.length === 0) continue;
      const chain = (direction === 'ingress' ? INGRESS_PREFIX : EGRESS_PREFIX) + key;
      filter.chain(chain);
      filter.rule('-A', NETPOL_CHAIN, direction === 'ingress' ? '-d' : '-s', `${pod.ip}/32`, '-j', chain);
      // A pod always reaches itself (through its own Service, say).
      perPod.push(`-A ${chain} ${direction === 'ingress' ? '-s' : '-d'} ${pod.ip}/32 -j RETURN`);
      const lines = new Set<string>();
      for (const policy of policies) {
        const rules: RuleSpec[] =
          direction === 'ingress'
            ? (policy.spec?.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }))
            : (policy.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
        for (const l of allowLines(chain, direction, pod, policy, rules, pods, resolve)) lines.add(l);
      }
      perPod.push(...lines);
      perPod.push(
        [
          '-A',
          chain,
          '-m',
          'comment',
          '--comment',
          quote(`${name} ${direction} not allowed`),
          '-j',
          'DROP',
        ].join(' '),
      );
    }
  }
  for (const line of perPod) filter.rule(line);

  const stale = [...input.current.chains].filter((c) => isNetworkPolicyChain(c) && !filter.has(c)).sort();
  for (const chain of stale) filter.chain(chain);
  for (const chain of stale) filter.rule('-X', chain);
  return filter.text();
}
