import type {
  CertificateSigningRequest,
  CertificateSigningRequestCondition,
} from 'kubernetes-types/certificates/v1.js';

/** The request's first condition of `type` whose status is True. */
export function trueCondition(
  csr: CertificateSigningRequest,
  type: 'Approved' | 'Denied' | 'Failed',
): CertificateSigningRequestCondition | undefined {
  return csr.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Upstream IsCertificateRequestApproved: approved and not denied. */
export function isApproved(csr: CertificateSigningRequest): boolean {
  return trueCondition(csr, 'Approved') !== undefined && trueCondition(csr, 'Denied') === undefined;
}

/** A certificate was issued (kubectl's `Issued`). */
export function isIssued(csr: CertificateSigningRequest): boolean {
  return (csr.status?.certificate ?? '') !== '';
}
