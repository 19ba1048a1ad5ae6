/**
 * The built-in `kubernetes.io` signers and what each accepts (upstream's pkg/apis/certificates helpers and the
 * csrsigning controller's checks): a request that breaks its signer's rules is failed, never signed. The rules
 * read a request's contents (`csrContents`), so this module loads no ASN.1 code of its own.
 */
import type { CsrContents } from './csr.js';

export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

/** The signers the cluster CA signs for (`kubernetes.io/legacy-unknown` is not one of them). */
export const CLUSTER_SIGNERS: readonly string[] = [
  KUBE_APISERVER_CLIENT_SIGNER,
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBELET_SERVING_SIGNER,
];

const NODES_GROUP = 'system:nodes';
const NODE_USER_PREFIX = 'system:node:';

const SERVING_USAGES = ['digital signature', 'key encipherment', 'server auth'];
const CLIENT_USAGES = ['client auth', 'digital signature', 'key encipherment'];

/** Usages equal to `required`, or to it without key encipherment (keys that are not RSA have no use for it). */
function usagesMatch(usages: readonly string[], required: string[]): boolean {
  const have = new Set(usages);
  const without = required.filter((u) => u !== 'key encipherment');
  const equals = (set: string[]): boolean => have.size === set.length && set.every((u) => have.has(u));
  return equals(required) || equals(without);
}

const usagesMismatch = (required: string[]): string => `usages did not match [${required.join(' ')}]`;

const isNodesOnly = (organizations: string[]): boolean =>
  organizations.length === 1 && organizations[0] === NODES_GROUP;

/** Upstream ValidateKubeletServingCSR: why the request is not a kubelet's serving request, or undefined. */
export function kubeletServingProblem(
  { subject, altNames: san }: CsrContents,
  usages: readonly string[],
): string | undefined {
  if (!isNodesOnly(subject.organizations)) return 'subject organization is not system:nodes';
  if (san.dnsNames.length === 0 && san.ipAddresses.length === 0)
    return 'DNS or IP subjectAltName is required';
  if (san.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (san.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!usagesMatch(usages, SERVING_USAGES)) return usagesMismatch(SERVING_USAGES);
  if (!subject.commonName.startsWith(NODE_USER_PREFIX))
    return 'subject common name does not begin with system:node:';
  return undefined;
}

/** Upstream ValidateKubeletClientCSR: why the request is not a kubelet's client request, or undefined. */
export function kubeletClientProblem(
  { subject, altNames: san }: CsrContents,
  usages: readonly string[],
): string | undefined {
  if (!isNodesOnly(subject.organizations)) return 'subject organization is not system:nodes';
  if (san.dnsNames.length > 0) return 'DNS subjectAltNames are not allowed';
  if (san.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (san.ipAddresses.length > 0) return 'IP subjectAltNames are not allowed';
  if (san.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!subject.commonName.startsWith(NODE_USER_PREFIX))
    return 'subject common name does not begin with system:node:';
  if (!usagesMatch(usages, CLIENT_USAGES)) return usagesMismatch(CLIENT_USAGES);
  return undefined;
}

/** Upstream validAPIServerClientUsages: client auth is required; digital signature and key encipherment may come. */
export function apiServerClientProblem(usages: readonly string[]): string | undefined {
  for (const u of usages) {
    if (u !== 'digital signature' && u !== 'key encipherment' && u !== 'client auth')
      return `invalid usage for client certificate: ${u}`;
  }
  if (!usages.includes('client auth')) return 'missing required usage for client certificate: client auth';
  return undefined;
}

/**
 * Why `signerName` must not sign the request (the message of its Failed condition), or undefined when it may.
 * Throws for a signer that is not one of CLUSTER_SIGNERS.
 */
export function signerRuleProblem(
  signerName: string,
  csr: CsrContents,
  usages: readonly string[],
): string | undefined {
  switch (signerName) {
    case KUBELET_SERVING_SIGNER:
      return kubeletServingProblem(csr, usages);
    case KUBE_APISERVER_CLIENT_KUBELET_SIGNER:
      return kubeletClientProblem(csr, usages);
    case KUBE_APISERVER_CLIENT_SIGNER:
      return apiServerClientProblem(usages);
    default:
      throw new Error(`unrecognized signerName: "${signerName}"`);
  }
}
