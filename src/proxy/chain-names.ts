/**
 * Names of the per-service and per-endpoint chains, hashed exactly as kube-proxy hashes them (sha256 of the
 * service port name + lower-case protocol [+ endpoint], standard base32, first 16 characters), so a rule set
 * reads the same as upstream's and names stay stable across restarts.
 */
import { createHash } from 'node:crypto';

export const SERVICES_CHAIN = 'KUBE-SERVICES';
export const EXTERNAL_SERVICES_CHAIN = 'KUBE-EXTERNAL-SERVICES';
export const NODE_PORTS_CHAIN = 'KUBE-NODEPORTS';
export const POSTROUTING_CHAIN = 'KUBE-POSTROUTING';
export const MARK_MASQ_CHAIN = 'KUBE-MARK-MASQ';
export const FORWARD_CHAIN = 'KUBE-FORWARD';
/** The filter chain that drops what a load balancer's source ranges do not accept. */
export const PROXY_FIREWALL_CHAIN = 'KUBE-PROXY-FIREWALL';
/** The filter chain that drops packets from outside addressed to 127.0.0.0/8 (kubelet's chain upstream). */
export const LOCALNET_FIREWALL_CHAIN = 'KUBE-FIREWALL';

const CLUSTER_POLICY_PREFIX = 'KUBE-SVC-';
const LOCAL_POLICY_PREFIX = 'KUBE-SVL-';
const EXTERNAL_PREFIX = 'KUBE-EXT-';
const FIREWALL_PREFIX = 'KUBE-FW-';
const ENDPOINT_PREFIX = 'KUBE-SEP-';
const SERVICE_CHAIN_PREFIXES = [
  CLUSTER_POLICY_PREFIX,
  LOCAL_POLICY_PREFIX,
  EXTERNAL_PREFIX,
  FIREWALL_PREFIX,
  ENDPOINT_PREFIX,
];

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (the 16 characters we keep never reach it). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** 16 characters of base32 sha256: kube-proxy's chain-name hash. */
export function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

/** `ns/name:port`, or `ns/name` for an unnamed port (upstream's ServicePortName.String()). */
export function servicePortName(namespace: string, name: string, port: string): string {
  return `${namespace}/${name}${port ? `:${port}` : ''}`;
}

export const clusterPolicyChain = (svcPort: string, protocol: string): string =>
  CLUSTER_POLICY_PREFIX + hash16(svcPort + protocol.toLowerCase());
export const localPolicyChain = (svcPort: string, protocol: string): string =>
  LOCAL_POLICY_PREFIX + hash16(svcPort + protocol.toLowerCase());
export const externalChain = (svcPort: string, protocol: string): string =>
  EXTERNAL_PREFIX + hash16(svcPort + protocol.toLowerCase());
export const firewallChain = (svcPort: string, protocol: string): string =>
  FIREWALL_PREFIX + hash16(svcPort + protocol.toLowerCase());
/** `endpoint` is `ip:port`. */
export const endpointChain = (svcPort: string, protocol: string, endpoint: string): string =>
  ENDPOINT_PREFIX + hash16(svcPort + protocol.toLowerCase() + endpoint);

/** Chains made per service or endpoint: any of them not in the current rule set is stale. */
export function isServiceChain(chain: string): boolean {
  return SERVICE_CHAIN_PREFIXES.some((p) => chain.startsWith(p));
}

/** Every chain of ours, fixed or per service, in the nat table. */
export function isOurNatChain(chain: string): boolean {
  return (
    chain === SERVICES_CHAIN ||
    chain === NODE_PORTS_CHAIN ||
    chain === POSTROUTING_CHAIN ||
    chain === MARK_MASQ_CHAIN ||
    isServiceChain(chain)
  );
}

/** Every chain of ours in the filter table. */
export function isOurFilterChain(chain: string): boolean {
  return (
    chain === SERVICES_CHAIN ||
    chain === EXTERNAL_SERVICES_CHAIN ||
    chain === FORWARD_CHAIN ||
    chain === PROXY_FIREWALL_CHAIN ||
    chain === LOCALNET_FIREWALL_CHAIN
  );
}
