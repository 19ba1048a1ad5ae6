/**
 * Reading a request and making its certificate: the part of signing that needs the ASN.1 and X.509 libraries,
 * which the csrsigning controller loads on its first approved request (most servers never sign one).
 */
import type { webcrypto } from 'node:crypto';
import { randomBytes, webcrypto as nodeWebcrypto } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralNames, id_ce_subjectAltName } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { csrContents, csrGeneralNames, parseCsr, type CsrContents, type ParsedCsr } from '../../api/csr.js';
import type { Validity } from './authority.js';
import { certificateUsages } from './key-usages.js';

// @peculiar/x509 takes the WebCrypto provider explicitly; Node's webcrypto is one.
const provider = nodeWebcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[1];
type LibrarySigningAlgorithm = Parameters<typeof x509.X509CertificateGenerator.create>[0]['signingAlgorithm'];

export interface ReadRequest extends CsrContents {
  csr: ParsedCsr;
}

/** `spec.request` (base64 of PEM) parsed; throws as upstream's ParseCSR when it is not a request. */
export function readRequest(name: string, base64: string): ReadRequest {
  try {
    const csr = parseCsr(Buffer.from(base64, 'base64').toString('latin1'));
    return { csr, ...csrContents(csr) };
  } catch (err) {
    throw new Error(`unable to parse csr "${name}": ${(err as Error).message}`);
  }
}

export interface Issuer {
  certPem: string;
  signingKey: webcrypto.CryptoKey;
  signingAlgorithm: webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams;
}

/** A PEM certificate for the request's subject, names and public key, signed by `issuer`. */
export async function issueCertificate(
  issuer: Issuer,
  csr: ParsedCsr,
  usages: readonly string[],
  validity: Validity,
): Promise<string> {
  const ca = new x509.X509Certificate(issuer.certPem);
  const info = csr.request.certificationRequestInfo;
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomBytes(16).toString('hex'),
      subject: new x509.Name(AsnConvert.serialize(info.subject)),
      issuer: ca.subjectName,
      notBefore: validity.notBefore,
      notAfter: validity.notAfter,
      publicKey: AsnConvert.serialize(info.subjectPKInfo),
      signingKey: issuer.signingKey,
      signingAlgorithm: issuer.signingAlgorithm as LibrarySigningAlgorithm,
      extensions: extensions(ca, csr, usages),
    },
    provider,
  );
  return cert.toString('pem');
}

/** As Go's x509 writes them: usages, not a CA, the CA's key id, and the request's subjectAltNames. */
function extensions(ca: x509.X509Certificate, csr: ParsedCsr, usages: readonly string[]): x509.Extension[] {
  const { keyUsages, extendedKeyUsages } = certificateUsages(usages);
  const result: x509.Extension[] = [];
  if (keyUsages.length > 0) {
    const flags = keyUsages.reduce((bits, u) => bits | x509.KeyUsageFlags[u], 0);
    result.push(new x509.KeyUsagesExtension(flags, true));
  }
  if (extendedKeyUsages.length > 0) result.push(new x509.ExtendedKeyUsageExtension(extendedKeyUsages, false));
  result.push(new x509.BasicConstraintsExtension(false, undefined, true));
  const caKeyId = ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  if (caKeyId) result.push(new x509.AuthorityKeyIdentifierExtension(caKeyId, false));
  // DNS names, emails, IPs and URIs; other kinds of names are not carried over.
  const names = csrGeneralNames(csr).filter(
    (n) =>
      n.dNSName !== undefined ||
      n.rfc822Name !== undefined ||
      n.iPAddress !== undefined ||
      n.uniformResourceIdentifier !== undefined,
  );
  if (names.length > 0) {
    // RFC 5280: subjectAltName is critical when the subject is empty.
    const critical = csr.request.certificationRequestInfo.subject.length === 0;
    result.push(
      new x509.Extension(id_ce_subjectAltName, critical, AsnConvert.serialize(new GeneralNames(names))),
    );
  }
  return result;
}
