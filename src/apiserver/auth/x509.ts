import type * as X509 from '@peculiar/x509';
import { X509Certificate as NodeX509, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIPv6 } from 'node:net';

// ECDSA P-256 with SHA-256: small, fast to generate, and accepted by Go's crypto/tls (kubectl) and OpenSSL.
const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
const subtle = webcrypto.subtle;
// @peculiar/x509 takes the WebCrypto provider explicitly; Node's webcrypto is one.
const provider = webcrypto as unknown as Parameters<typeof X509.X509CertificateGenerator.create>[1];

/** The X.509 library is only needed to issue certificates; restarts that reuse them never load it. */
async function loadX509(): Promise<typeof X509> {
  return import('@peculiar/x509');
}
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** A PEM certificate with its PEM (PKCS#8) private key. */
export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export interface LeafSpec {
  commonName: string;
  organizations?: string[];
  usage: 'server' | 'client';
  dnsNames?: string[];
  ips?: string[];
  days: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function createCa(commonName: string, days: number): Promise<CertAndKey> {
  const x509 = await loadX509();
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: [{ CN: [commonName] }],
      ...validity(days),
      signingAlgorithm,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, provider),
      ],
    },
    provider,
  );
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

export async function issueLeaf(ca: CertAndKey, spec: LeafSpec): Promise<CertAndKey> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importKey(ca.keyPem);
  const keys = await generateKeys();
  const subject: X509.JsonName = [
    ...(spec.organizations ?? []).map((o) => ({ O: [o] })),
    { CN: [spec.commonName] },
  ];
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(
      [spec.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
      false,
    ),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false, provider),
  ];
  const names: X509.JsonGeneralNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject,
      issuer: caCert.subject,
      ...validity(spec.days),
      signingAlgorithm,
      publicKey: keys.publicKey,
      signingKey: caKey,
      extensions,
    },
    provider,
  );
  return { certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey) };
}

/** DNS names and IP addresses (canonical text form) in a certificate's subjectAltName. */
export function subjectAltNames(certPem: string): { dnsNames: string[]; ips: string[] } {
  const dnsNames: string[] = [];
  const ips: string[] = [];
  // Node renders the extension as `DNS:a, IP Address:1.2.3.4` (values needing it are JSON-quoted).
  for (const entry of (new NodeX509(certPem).subjectAltName ?? '').split(', ')) {
    const colon = entry.indexOf(':');
    if (colon < 0) continue;
    const type = entry.slice(0, colon);
    let value = entry.slice(colon + 1);
    if (value.startsWith('"')) value = JSON.parse(value) as string;
    if (type === 'DNS') dnsNames.push(value.toLowerCase());
    else if (type === 'IP Address') ips.push(canonicalIp(value));
  }
  return { dnsNames, ips };
}

/**
 * True when `certPem` is signed by `caPem` and stays valid for at least `minRemainingDays`.
 * Anything unparsable counts as unusable.
 */
export function isUsableLeaf(
  certPem: string,
  caPem: string,
  minRemainingDays: number,
  now = Date.now(),
): boolean {
  try {
    const cert = new NodeX509(certPem);
    const ca = new NodeX509(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    return Date.parse(cert.validTo) - now >= minRemainingDays * DAY_MS && Date.parse(cert.validFrom) <= now;
  } catch {
    return false;
  }
}

/** True when keyPem is the private key belonging to certPem. */
export function keyMatchesCert(certPem: string, keyPem: string): boolean {
  try {
    return new NodeX509(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** `::0001` and `0:0:0:0:0:0:0:1` both become `::1`; IPv4 stays as written. */
export function canonicalIp(ip: string): string {
  return isIPv6(ip) ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return subtle.generateKey(keyAlgorithm, true, ['sign', 'verify']);
}

async function exportKey(key: CryptoKey): Promise<string> {
  const x509 = await loadX509();
  const der = await subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  const x509 = await loadX509();
  const der = x509.PemConverter.decodeFirst(pem);
  return subtle.importKey('pkcs8', der, keyAlgorithm, false, ['sign']);
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // Back-date a little so a client with a slightly slow clock accepts a fresh certificate.
  const now = Date.now();
  return { notBefore: new Date(now - 5 * 60 * 1000), notAfter: new Date(now + days * DAY_MS) };
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive, as RFC 5280 requires
  return bytes.toString('hex');
}
