/** Which certificate signing requests upstream's csrcleaner deletes, and why. */
import { X509Certificate } from 'node:crypto';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { isIssued } from './conditions.js';

const HOUR_MS = 60 * 60 * 1000;

/** How long requests are kept (upstream's constants). */
export interface CsrRetention {
  /** Approved and issued. */
  approvedMs: number;
  /** Denied, and (as upstream) failed. */
  deniedMs: number;
  /** Neither approved, denied nor failed. */
  pendingMs: number;
}

export const DEFAULT_CSR_RETENTION: CsrRetention = {
  approvedMs: HOUR_MS,
  deniedMs: HOUR_MS,
  pendingMs: 24 * HOUR_MS,
};

/** Why the request should go now, or undefined to keep it. */
export function cleanupReason(
  csr: CertificateSigningRequest,
  nowMs: number,
  retention: CsrRetention,
): string | undefined {
  const created = Date.parse(csr.metadata?.creationTimestamp ?? '');
  // Conditions written without a time count from the request's creation.
  const olderThan = (time: string | undefined, ageMs: number): boolean => {
    const at = time ? Date.parse(time) : created;
    return Number.isFinite(at) && nowMs - at > ageMs;
  };
  const conditions = csr.status?.conditions ?? [];
  const issued = isIssued(csr);
  for (const c of conditions) {
    if (c.type === 'Approved' && issued && olderThan(c.lastUpdateTime, retention.approvedMs))
      return 'approved and issued past the retention';
    if (c.type === 'Denied' && olderThan(c.lastUpdateTime, retention.deniedMs))
      return 'denied past the retention';
    if (c.type === 'Failed' && olderThan(c.lastUpdateTime, retention.deniedMs))
      return 'failed past the retention';
  }
  if (conditions.length === 0 && olderThan(undefined, retention.pendingMs))
    return 'pending past the retention';
  if (issued && conditions.some((c) => c.type === 'Approved') && certificateExpired(csr, nowMs))
    return 'its certificate has expired';
  return undefined;
}

/** The first certificate of `status.certificate` has expired; unreadable ones never count as expired. */
function certificateExpired(csr: CertificateSigningRequest, nowMs: number): boolean {
  try {
    const pem = Buffer.from(csr.status?.certificate ?? '', 'base64');
    return nowMs > Date.parse(new X509Certificate(pem).validTo);
  } catch {
    return false;
  }
}
