/**
 * The rules of one service port, following upstream's syncProxyRules: the capture rules in KUBE-SERVICES and
 * KUBE-NODEPORTS, the KUBE-EXT / KUBE-SVC / KUBE-SVL dispatch chains with random-probability load balancing and
 * ClientIP affinity, one KUBE-SEP chain per endpoint (hairpin masquerade + DNAT), and REJECT/DROP rules in the
 * filter table when there is nothing to send the traffic to. Pure.
 */
import { categorizeEndpoints } from './categorize.js';
import {
  EXTERNAL_SERVICES_CHAIN,
  MARK_MASQ_CHAIN,
  NODE_PORTS_CHAIN,
  PROXY_FIREWALL_CHAIN,
  SERVICES_CHAIN,
  clusterPolicyChain,
  endpointChain,
  externalChain,
  firewallChain,
  localPolicyChain,
} from './chain-names.js';
import { cidrContains } from '../util/cidr.js';
import { quote, type RestoreText } from './restore-text.js';
import { externallyAccessible, type EndpointInfo, type ServicePortInfo } from './service-ports.js';

export interface ServiceRuleContext {
  nat: RestoreText;
  filter: RestoreText;
  /** Pod CIDR of the cluster: traffic from outside it is "not local" (upstream's LocalDetector by cluster CIDR). */
  clusterCidr?: string;
  /** Masquerade all traffic to cluster IPs (kube-proxy's --masquerade-all). */
  masqueradeAll: boolean;
  /** This node's address (see RuleSetInput.nodeIP). */
  nodeIP?: string;
}

const comment = (text: string): string[] => ['-m', 'comment', '--comment', quote(text)];

/** `1/n` with 10 decimals, as upstream prints the statistic match probability. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

export function writeServicePort(ctx: ServiceRuleContext, svc: ServicePortInfo, all: EndpointInfo[]): void {
  const { nat, filter } = ctx;
  const name = svc.name;
  const proto = svc.protocol.toLowerCase();
  const match = ['-m', proto, '-p', proto];
  const eps = categorizeEndpoints(svc, all);
  const svcChain = clusterPolicyChain(name, proto);
  const svlChain = localPolicyChain(name, proto);
  const extChain = externalChain(name, proto);
  const epChain = (ep: EndpointInfo): string => endpointChain(name, proto, ep.endpoint);

  const usesClusterChain = eps.cluster.length > 0;
  const usesLocalChain = eps.local.length > 0;
  const internalChain = svc.internalPolicyLocal ? svlChain : svcChain;
  const hasInternal = eps.hasAny && (!svc.internalPolicyLocal || usesLocalChain);
  const externalPolicyChain = svc.externalPolicyLocal ? svlChain : svcChain;
  const hasExternal = eps.hasAny && (!svc.externalPolicyLocal || usesLocalChain);
  const usesExtChain = eps.hasAny && externallyAccessible(svc);
  // Source ranges filter load-balancer traffic on its way to the EXT chain.
  const usesFwChain = eps.hasAny && svc.loadBalancerIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
  const fwChain = firewallChain(name, proto);
  const lbChain = usesFwChain ? fwChain : extChain;

  // No endpoints at all: REJECT (connection refused at once). Endpoints, but none on this node for a Local
  // policy: DROP, as upstream.
  const unserved = eps.hasAny
    ? { target: 'DROP', comment: `${name} has no local endpoints` }
    : { target: 'REJECT', comment: `${name} has no endpoints` };
  const clusterIpMatch = [...match, '-d', svc.clusterIP, '--dport', String(svc.port)];

  if (hasInternal) {
    nat.rule('-A', SERVICES_CHAIN, comment(`${name} cluster IP`), clusterIpMatch, '-j', internalChain);
  } else {
    filter.rule('-A', SERVICES_CHAIN, comment(unserved.comment), clusterIpMatch, '-j', unserved.target);
  }

  for (const ip of svc.externalIPs) {
    const dst = [...match, '-d', ip, '--dport', String(svc.port)];
    if (eps.hasAny) nat.rule('-A', SERVICES_CHAIN, comment(`${name} external IP`), dst, '-j', extChain);
    if (!hasExternal) {
      filter.rule('-A', EXTERNAL_SERVICES_CHAIN, comment(unserved.comment), dst, '-j', unserved.target);
    }
  }

  for (const ip of svc.loadBalancerIPs) {
    const dst = [...match, '-d', ip, '--dport', String(svc.port)];
    if (eps.hasAny) nat.rule('-A', SERVICES_CHAIN, comment(`${name} loadbalancer IP`), dst, '-j', lbChain);
    if (usesFwChain) {
      filter.rule(
        '-A',
        PROXY_FIREWALL_CHAIN,
        comment(`${name} traffic not accepted by ${fwChain}`),
        dst,
        '-j',
        'DROP',
      );
    }
    if (!hasExternal) {
      filter.rule('-A', EXTERNAL_SERVICES_CHAIN, comment(unserved.comment), dst, '-j', unserved.target);
    }
  }

  if (svc.nodePort !== 0) {
    const dport = ['--dport', String(svc.nodePort)];
    if (eps.hasAny) nat.rule('-A', NODE_PORTS_CHAIN, comment(name), match, dport, '-j', extChain);
    if (!hasExternal) {
      filter.rule(
        '-A',
        EXTERNAL_SERVICES_CHAIN,
        comment(unserved.comment),
        ['-m', 'addrtype', '--dst-type', 'LOCAL'],
        match,
        dport,
        '-j',
        unserved.target,
      );
    }
  }

  if (hasInternal) {
    // Traffic to the cluster IP from outside the pod network (the node itself, or a host routing the service
    // range to this node) is masqueraded so that replies come back through this node.
    if (ctx.masqueradeAll) {
      nat.rule('-A', internalChain, comment(`${name} cluster IP`), clusterIpMatch, '-j', MARK_MASQ_CHAIN);
    } else if (ctx.clusterCidr) {
      nat.rule(
        '-A',
        internalChain,
        comment(`${name} cluster IP`),
        clusterIpMatch,
        ['!', '-s', ctx.clusterCidr],
        '-j',
        MARK_MASQ_CHAIN,
      );
    }
  }

  if (usesExtChain) {
    nat.chain(extChain);
    if (!svc.externalPolicyLocal) {
      // Cluster policy: the endpoint may be on another node, so the reply must come back through this one.
      nat.rule(
        '-A',
        extChain,
        comment(`masquerade traffic for ${name} external destinations`),
        '-j',
        MARK_MASQ_CHAIN,
      );
    } else {
      // Local policy keeps the client's address; pods and the node itself still get Cluster semantics.
      if (ctx.clusterCidr) {
        nat.rule(
          '-A',
          extChain,
          comment(`pod traffic for ${name} external destinations`),
          ['-s', ctx.clusterCidr],
          '-j',
          svcChain,
        );
      }
      const fromNode = ['-m', 'addrtype', '--src-type', 'LOCAL'];
      nat.rule(
        '-A',
        extChain,
        comment(`masquerade LOCAL traffic for ${name} external destinations`),
        fromNode,
        '-j',
        MARK_MASQ_CHAIN,
      );
      nat.rule(
        '-A',
        extChain,
        comment(`route LOCAL traffic for ${name} external destinations`),
        fromNode,
        '-j',
        svcChain,
      );
    }
    if (hasExternal) nat.rule('-A', extChain, '-j', externalPolicyChain);
  }

  if (usesFwChain) {
    nat.chain(fwChain);
    const lbComment = comment(`${name} loadbalancer IP`);
    for (const cidr of svc.loadBalancerSourceRanges)
      nat.rule('-A', fwChain, lbComment, '-s', cidr, '-j', extChain);
    // The node reaching an LB IP it holds itself sends from that IP: let it in when the ranges include the node.
    if (ctx.nodeIP && svc.loadBalancerSourceRanges.some((cidr) => cidrContains(cidr, ctx.nodeIP!))) {
      for (const ip of svc.loadBalancerIPs) nat.rule('-A', fwChain, lbComment, '-s', ip, '-j', extChain);
    }
    // Not DNATed here, the packet meets its DROP in KUBE-PROXY-FIREWALL.
    nat.rule('-A', fwChain, comment(`other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL`));
  }

  if (usesClusterChain) writeDispatch(nat, svc, svcChain, eps.cluster, epChain);
  if (usesLocalChain) writeDispatch(nat, svc, svlChain, eps.local, epChain);

  for (const ep of eps.reachable) {
    const chain = epChain(ep);
    nat.chain(chain);
    // Hairpin: a pod reaching itself through its service must see the reply come from the service.
    nat.rule('-A', chain, comment(name), '-s', ep.ip, '-j', MARK_MASQ_CHAIN);
    const affinity = svc.stickySeconds !== undefined ? ['-m', 'recent', '--name', chain, '--set'] : [];
    nat.rule('-A', chain, comment(name), affinity, match, '-j', 'DNAT', '--to-destination', ep.endpoint);
  }
}

/** A KUBE-SVC/KUBE-SVL chain: affinity checks first, then a random choice among the endpoints. */
function writeDispatch(
  nat: RestoreText,
  svc: ServicePortInfo,
  chain: string,
  endpoints: EndpointInfo[],
  epChain: (ep: EndpointInfo) => string,
): void {
  nat.chain(chain);
  if (svc.stickySeconds !== undefined) {
    for (const ep of endpoints) {
      nat.rule(
        '-A',
        chain,
        comment(`${svc.name} -> ${ep.endpoint}`),
        ['-m', 'recent', '--name', epChain(ep), '--rcheck', '--seconds', String(svc.stickySeconds), '--reap'],
        '-j',
        epChain(ep),
      );
    }
  }
  // Rule i matches with probability 1/(n-i) of what reaches it, so each endpoint gets 1/n; the last always matches.
  endpoints.forEach((ep, i) => {
    const n = endpoints.length - i;
    const statistic = n > 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(n)] : [];
    nat.rule('-A', chain, comment(`${svc.name} -> ${ep.endpoint}`), statistic, '-j', epChain(ep));
  });
}
