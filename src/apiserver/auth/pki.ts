import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../util/logger.js';
import { readIfExists, writeFileAtomic } from './files.js';
import { ADMIN_GROUP, ADMIN_USER, NODE_USER_PREFIX, NODES_GROUP } from './users.js';
import {
  canonicalIp,
  isUsableLeaf,
  keyMatchesCert,
  subjectAltNames,
  type CertAndKey,
  type LeafSpec,
} from './x509.js';
import { issueInChildProcess } from './x509-process.js';

export type { CertAndKey } from './x509.js';

/** PEM material of the cluster: one CA signs the serving certificate and every client certificate. */
export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  /** CN=admin, O=system:masters. */
  adminCert: string;
  adminKey: string;
  /** The API server's client certificate towards node agents: CN=kube-apiserver-kubelet-client, O=system:masters. */
  kubeletClientCert: string;
  kubeletClientKey: string;
}

export interface PkiOptions {
  /** DNS names the serving certificate must cover (localhost is always added). */
  hosts: string[];
  /** IP addresses the serving certificate must cover (127.0.0.1 and ::1 are always added). */
  ips: string[];
  logger?: Logger;
}

type LeafName = 'serving' | 'admin' | 'kubeletClient';

/** A leaf certificate ensurePki keeps: how to issue it again and what to log when it does. */
interface LeafPlan {
  name: LeafName;
  spec: LeafSpec;
  message: string;
  fields?: Record<string, unknown>;
}

/** File names inside the PKI folder (k3s-like). */
export const PKI_FILES = {
  caCert: 'server-ca.crt',
  caKey: 'server-ca.key',
  servingCert: 'serving-kube-apiserver.crt',
  servingKey: 'serving-kube-apiserver.key',
  adminCert: 'client-admin.crt',
  adminKey: 'client-admin.key',
  kubeletClientCert: 'client-kube-apiserver-kubelet.crt',
  kubeletClientKey: 'client-kube-apiserver-kubelet.key',
} as const;

/** Common name node agents accept on the client certificate of the API server (kubeadm's name). */
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

const CA_DAYS = 3650;
const LEAF_DAYS = 365;
/** Leaf certificates with less validity left than this are renewed at start-up (k3s renews within 90 days). */
const RENEW_DAYS = 90;

/**
 * Load the PKI from `dir`, creating what is missing or unusable: the CA on first start, the serving certificate
 * again when its SANs no longer cover the requested names, leaf certificates again when they near expiry or
 * were not signed by the current CA.
 */
export async function ensurePki(dir: string, opts: PkiOptions): Promise<Pki> {
  const log = opts.logger ?? silentLogger;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = (name: keyof typeof PKI_FILES): string => join(dir, PKI_FILES[name]);

  const loadedCa = await loadPair(path('caCert'), path('caKey'));
  const newCa = !loadedCa || !isUsableCa(loadedCa);
  if (newCa) log.info('creating cluster certificate authority', { dir });

  const dnsNames = unique(['localhost', ...opts.hosts].map((h) => h.toLowerCase()));
  const ips = unique(['127.0.0.1', '::1', ...opts.ips].map(canonicalIp));
  const leaves: LeafPlan[] = [
    {
      name: 'serving',
      spec: { commonName: 'kube-apiserver', usage: 'server', dnsNames, ips, days: LEAF_DAYS },
      message: 'issuing API server serving certificate',
      fields: { dnsNames, ips },
    },
    {
      name: 'admin',
      spec: clientSpec(ADMIN_USER, [ADMIN_GROUP], LEAF_DAYS),
      message: 'issuing admin client certificate',
    },
    {
      name: 'kubeletClient',
      spec: clientSpec(KUBELET_CLIENT_USER, [ADMIN_GROUP], LEAF_DAYS),
      message: 'issuing the kubelet client certificate',
    },
  ];
  const pairs: Partial<Record<LeafName, CertAndKey>> = {};
  const missing: LeafPlan[] = [];
  for (const leaf of leaves) {
    const pair = await loadPair(path(`${leaf.name}Cert`), path(`${leaf.name}Key`));
    const usable =
      pair &&
      !newCa &&
      isUsablePair(pair, loadedCa) &&
      (leaf.name !== 'serving' || coversNames(pair.certPem, dnsNames, ips));
    if (usable) pairs[leaf.name] = pair;
    else missing.push(leaf);
  }

  let ca = loadedCa;
  if (newCa || missing.length > 0) {
    for (const leaf of missing) log.info(leaf.message, leaf.fields);
    const issued = await issueInChildProcess({
      ca:
        newCa || !loadedCa
          ? { create: { commonName: `tugboat-server-ca@${Math.floor(Date.now() / 1000)}`, days: CA_DAYS } }
          : loadedCa,
      leaves: missing.map((l) => l.spec),
    });
    if (newCa) await savePair(issued.ca, path('caCert'), path('caKey'));
    ca = issued.ca;
    for (const [i, leaf] of missing.entries()) {
      const pair = issued.leaves[i]!;
      await savePair(pair, path(`${leaf.name}Cert`), path(`${leaf.name}Key`));
      pairs[leaf.name] = pair;
    }
  }
  const { serving, admin, kubeletClient } = pairs as Record<LeafName, CertAndKey>;
  if (!ca) throw new Error('no cluster CA'); // unreachable: newCa is true whenever none was loaded

  return {
    caCert: ca.certPem,
    caKey: ca.keyPem,
    servingCert: serving.certPem,
    servingKey: serving.keyPem,
    adminCert: admin.certPem,
    adminKey: admin.keyPem,
    kubeletClientCert: kubeletClient.certPem,
    kubeletClientKey: kubeletClient.keyPem,
  };
}

/** A client certificate for user `cn` in `groups` (the API server reads CN as the user, O as groups). */
export async function issueClientCert(
  ca: CertAndKey,
  cn: string,
  groups: string[],
  days: number,
): Promise<CertAndKey> {
  return (await issueInChildProcess({ ca, leaves: [clientSpec(cn, groups, days)] })).leaves[0]!;
}

function clientSpec(cn: string, groups: string[], days: number): LeafSpec {
  return { commonName: cn, organizations: groups, usage: 'client', days };
}

async function loadPair(certPath: string, keyPath: string): Promise<CertAndKey | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  return certPem && keyPem ? { certPem, keyPem } : undefined;
}

async function savePair(pair: CertAndKey, certPath: string, keyPath: string): Promise<void> {
  // Key first: a crash between the writes leaves a cert without its key, which the next start replaces.
  await writeFileAtomic(keyPath, pair.keyPem, 0o600);
  await writeFileAtomic(certPath, pair.certPem, 0o644);
}

function isUsableCa(ca: CertAndKey): boolean {
  return keyMatchesCert(ca.certPem, ca.keyPem) && isUsableLeaf(ca.certPem, ca.certPem, RENEW_DAYS);
}

function isUsablePair(pair: CertAndKey, ca: CertAndKey): boolean {
  return keyMatchesCert(pair.certPem, pair.keyPem) && isUsableLeaf(pair.certPem, ca.certPem, RENEW_DAYS);
}

function coversNames(certPem: string, dnsNames: string[], ips: string[]): boolean {
  const san = subjectAltNames(certPem);
  return dnsNames.every((d) => san.dnsNames.includes(d)) && ips.every((ip) => san.ips.includes(ip));
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ''))];
}

/** A node agent's serving certificate for its names and addresses (issued in memory at each agent start). */
export async function issueAgentServingCert(
  ca: CertAndKey,
  nodeName: string,
  dnsNames: string[],
  ips: string[],
): Promise<CertAndKey> {
  return (await issueInChildProcess({ ca, leaves: [agentServingSpec(nodeName, dnsNames, ips)] })).leaves[0]!;
}

/**
 * What a joining node agent gets: a client certificate for its node identity (CN=system:node:NAME,
 * O=system:nodes, as kubelets have) and a serving certificate for its HTTPS endpoint.
 */
export async function issueNodeCredentials(
  ca: CertAndKey,
  nodeName: string,
  dnsNames: string[],
  ips: string[],
): Promise<{ client: CertAndKey; serving: CertAndKey }> {
  const { leaves } = await issueInChildProcess({
    ca,
    leaves: [
      clientSpec(`${NODE_USER_PREFIX}${nodeName}`, [NODES_GROUP], LEAF_DAYS),
      agentServingSpec(nodeName, dnsNames, ips),
    ],
  });
  return { client: leaves[0]!, serving: leaves[1]! };
}

function agentServingSpec(nodeName: string, dnsNames: string[], ips: string[]): LeafSpec {
  return {
    commonName: nodeName,
    usage: 'server',
    dnsNames: unique(['localhost', nodeName, ...dnsNames].map((h) => h.toLowerCase())),
    ips: unique(['127.0.0.1', '::1', ...ips].map(canonicalIp)),
    days: LEAF_DAYS,
  };
}
