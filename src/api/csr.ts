/**
 * PKCS#10 certificate signing requests as CertificateSigningRequest objects carry them (`spec.request`: one
 * "CERTIFICATE REQUEST" PEM block), parsed and signature-checked as upstream's `ParseCSR` and
 * `CheckSignature` do, synchronously (Node's crypto over the request's own DER bytes).
 */
import { createPublicKey, verify } from 'node:crypto';
import type * as AsnCsr from '@peculiar/asn1-csr';
import type * as AsnSchema from '@peculiar/asn1-schema';
import type * as AsnX509 from '@peculiar/asn1-x509';
import type { Extension, GeneralName } from '@peculiar/asn1-x509';
import { lazyRequire } from '../util/lazy-require.js';

// Loaded on the first request parsed: a server that never sees one keeps the ASN.1 libraries out of its heap.
const asnCsr = lazyRequire<typeof AsnCsr>('@peculiar/asn1-csr');
const asnSchema = lazyRequire<typeof AsnSchema>('@peculiar/asn1-schema');
const asnX509 = lazyRequire<typeof AsnX509>('@peculiar/asn1-x509');

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';
const PEM_BLOCKS = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n((?:[A-Za-z0-9+/=]+\r?\n)*?)-----END \1-----/g;

/** Signature algorithms by OID: the hash Node's `verify` takes (null for Ed25519). */
const SIGNATURE_HASHES: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};

export interface ParsedCsr {
  /** The request's DER bytes. */
  der: Buffer;
  request: AsnCsr.CertificationRequest;
}

/** The well-formed PEM blocks of `text`, in order (text around them is ignored, as Go's pem.Decode does). */
export function* pemBlocks(text: string): Generator<{ type: string; der: Buffer }> {
  for (const match of text.matchAll(PEM_BLOCKS)) {
    yield { type: match[1]!, der: Buffer.from(match[2]!.replace(/\s+/g, ''), 'base64') };
  }
}

/** The first PEM block of `pem`: its type and bytes, or undefined when there is none. */
function firstPemBlock(pem: string): { type: string; der: Buffer } | undefined {
  return pemBlocks(pem).next().value ?? undefined;
}

/** Parses `spec.request` (PEM text); throws with upstream's wording when it is not a certificate request. */
export function parseCsr(pem: string): ParsedCsr {
  const block = firstPemBlock(pem);
  if (!block || block.type !== 'CERTIFICATE REQUEST') {
    throw new Error('PEM block type must be CERTIFICATE REQUEST');
  }
  try {
    return {
      der: block.der,
      request: asnSchema().AsnConvert.parse(block.der, asnCsr().CertificationRequest),
    };
  } catch (err) {
    throw new Error(`asn1: structure error: ${(err as Error).message}`);
  }
}

/** Throws unless the request is signed by the key it carries (proof that the requester holds that key). */
export function checkCsrSignature({ request }: ParsedCsr): void {
  const oid = request.signatureAlgorithm.algorithm;
  const hash = SIGNATURE_HASHES[oid];
  if (hash === undefined) throw new Error('x509: cannot verify signature: algorithm unimplemented');
  const signed = request.certificationRequestInfoRaw;
  if (!signed) throw new Error('x509: malformed certificate request');
  let ok: boolean;
  try {
    const key = createPublicKey({
      key: Buffer.from(asnSchema().AsnConvert.serialize(request.certificationRequestInfo.subjectPKInfo)),
      format: 'der',
      type: 'spki',
    });
    ok = verify(hash, Buffer.from(signed), key, Buffer.from(request.signature));
  } catch (err) {
    throw new Error(`x509: cannot verify signature: ${(err as Error).message}`);
  }
  if (!ok) {
    const family = oid.startsWith('1.2.840.10045') ? 'ECDSA' : hash === null ? 'Ed25519' : 'RSA';
    throw new Error(
      family === 'RSA' ? 'crypto/rsa: verification error' : `x509: ${family} verification failure`,
    );
  }
}

/** The parts of a request's subject upstream reads: the common name (the last one wins) and every organization. */
export interface CsrSubject {
  commonName: string;
  organizations: string[];
}

export function csrSubject({ request }: ParsedCsr): CsrSubject {
  const subject: CsrSubject = { commonName: '', organizations: [] };
  for (const rdn of request.certificationRequestInfo.subject) {
    for (const attribute of rdn) {
      if (attribute.type === OID_COMMON_NAME) subject.commonName = attribute.value.toString();
      else if (attribute.type === OID_ORGANIZATION) subject.organizations.push(attribute.value.toString());
    }
  }
  return subject;
}

/** The extensions the requester asks for (the PKCS#9 extensionRequest attribute). */
export function csrExtensions({ request }: ParsedCsr): Extension[] {
  const extensions: Extension[] = [];
  for (const attribute of request.certificationRequestInfo.attributes) {
    if (attribute.type !== OID_EXTENSION_REQUEST) continue;
    for (const value of attribute.values)
      extensions.push(...asnSchema().AsnConvert.parse(value, asnX509().Extensions));
  }
  return extensions;
}

/** The names of the request's subjectAltName extension, as ASN.1 (none when it has no such extension). */
export function csrGeneralNames(parsed: ParsedCsr): GeneralName[] {
  const san = csrExtensions(parsed).find((e) => e.extnID === asnX509().id_ce_subjectAltName);
  return san ? [...asnSchema().AsnConvert.parse(san.extnValue.buffer, asnX509().GeneralNames)] : [];
}

/** The subjectAltNames upstream's certificate requests carry, as text. */
export interface CsrSubjectAltNames {
  dnsNames: string[];
  emailAddresses: string[];
  ipAddresses: string[];
  uris: string[];
}

export function csrSubjectAltNames(parsed: ParsedCsr): CsrSubjectAltNames {
  const names: CsrSubjectAltNames = { dnsNames: [], emailAddresses: [], ipAddresses: [], uris: [] };
  for (const n of csrGeneralNames(parsed)) {
    if (n.dNSName !== undefined) names.dnsNames.push(n.dNSName);
    else if (n.rfc822Name !== undefined) names.emailAddresses.push(n.rfc822Name);
    else if (n.iPAddress !== undefined) names.ipAddresses.push(n.iPAddress);
    else if (n.uniformResourceIdentifier !== undefined) names.uris.push(n.uniformResourceIdentifier);
  }
  return names;
}

/** What the signers' rules look at (`csr-signers.ts`). */
export interface CsrContents {
  subject: CsrSubject;
  altNames: CsrSubjectAltNames;
}

export function csrContents(parsed: ParsedCsr): CsrContents {
  return { subject: csrSubject(parsed), altNames: csrSubjectAltNames(parsed) };
}
