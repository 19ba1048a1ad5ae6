/** PKCS#10 requests and a CA for certificate signing tests, made with @peculiar/x509 over Node's WebCrypto. */
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';

const provider = webcrypto as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1];

export interface RequestSpec {
  commonName?: string;
  organizations?: string[];
  dnsNames?: string[];
  ips?: string[];
  emails?: string[];
  uris?: string[];
  /** Default ECDSA P-256. */
  key?: 'ecdsa' | 'rsa';
}

export interface GeneratedRequest {
  /** The request, PEM. */
  pem: string;
  /** Its private key, PKCS#8 PEM. */
  keyPem: string;
  /** Its public key, SPKI DER. */
  publicKeyDer: Buffer;
}

export async function certificateRequest(spec: RequestSpec): Promise<GeneratedRequest> {
  const algorithm = keyAlgorithm(spec.key);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const names: x509.JsonGeneralNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(spec.emails ?? []).map((value) => ({ type: 'email' as const, value })),
    ...(spec.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  const request = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: [
        ...(spec.organizations ?? []).map((o) => ({ O: [o] })),
        ...(spec.commonName === undefined ? [] : [{ CN: [spec.commonName] }]),
      ],
      keys,
      signingAlgorithm: algorithm,
      extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [],
    },
    provider,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const spki = await webcrypto.subtle.exportKey('spki', keys.publicKey);
  return {
    pem: request.toString('pem'),
    keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    publicKeyDer: Buffer.from(spki),
  };
}

/** A CertificateSigningRequest object for `pem`. */
export function csrObject(
  name: string,
  pem: string,
  signerName: string,
  usages: string[],
  expirationSeconds?: number,
): CertificateSigningRequest {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: {
      request: Buffer.from(pem).toString('base64'),
      signerName,
      usages,
      ...(expirationSeconds === undefined ? {} : { expirationSeconds }),
    },
  };
}

/** A self-signed CA (PEM certificate and PKCS#8 key), valid from an hour ago until `notAfter`. */
export async function testCa(
  opts: { key?: 'ecdsa' | 'rsa'; notAfter?: Date; commonName?: string } = {},
): Promise<{ certPem: string; keyPem: string }> {
  const algorithm = keyAlgorithm(opts.key);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: [{ CN: [opts.commonName ?? 'test-ca'] }],
      notBefore: new Date(now - 3_600_000),
      notAfter: opts.notAfter ?? new Date(now + 10 * 365 * 86_400_000),
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, provider),
      ],
    },
    provider,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** Key generation parameters that also name the signature's hash (what the generators want). */
function keyAlgorithm(
  key: 'ecdsa' | 'rsa' | undefined,
): (webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams) & { hash: string } {
  return key === 'rsa'
    ? {
        name: 'RSASSA-PKCS1-v1_5',
        hash: 'SHA-256',
        publicExponent: new Uint8Array([1, 0, 1]),
        modulusLength: 2048,
      }
    : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
}
