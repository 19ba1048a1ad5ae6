/**
 * Upstream's certificate admission plugins for CertificateSigningRequests: CertificateApproval (changing the
 * approval needs `approve` on the request's signer), CertificateSigning (setting `status.certificate` needs
 * `sign`) and CertificateSubjectRestriction (no `system:masters` client certificates from the
 * kube-apiserver-client signer). A signer is a `signers` resource of certificates.k8s.io named by the signer
 * name, or by `<domain>/*` for every signer of a domain.
 */
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/meta.js';
import { csrSubject, parseCsr } from '../../api/csr.js';
import type { Authorizer } from './authorizer.js';
import type { UserInfo } from '../config.js';

const CERTIFICATES = 'certificates.k8s.io';
const CSR_RESOURCE = { group: CERTIFICATES, resource: 'certificatesigningrequests' };
const API_SERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

const specOf = (o: KubeObject | undefined): Record<string, unknown> =>
  (o?.spec as Record<string, unknown> | undefined) ?? {};
const statusOf = (o: KubeObject | undefined): Record<string, unknown> =>
  (o?.status as Record<string, unknown> | undefined) ?? {};

export function isCertificateSigningRequest(kind: { group: string; plural: string }): boolean {
  return kind.group === CERTIFICATES && kind.plural === CSR_RESOURCE.resource;
}

/** Throws the upstream 403 when `user` may not make this CertificateSigningRequest write. */
export function admitCertificateSigningRequest(
  authorizer: Authorizer,
  user: UserInfo,
  obj: KubeObject,
  old: KubeObject | undefined,
  subresource: string | undefined,
): void {
  const name = obj.metadata?.name ?? '';
  const signer = specOf(obj).signerName;
  const signerName = typeof signer === 'string' ? signer : '';
  if (!old) {
    if (signerName === API_SERVER_CLIENT_SIGNER && requestsGroup(obj, 'system:masters')) {
      throw forbidden(
        CSR_RESOURCE,
        name,
        `use of ${API_SERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`,
      );
    }
    return;
  }
  if (subresource === 'approval' && !mayActAsSigner(authorizer, user, 'approve', signerName)) {
    throw forbidden(
      CSR_RESOURCE,
      name,
      `user not permitted to approve requests with signerName "${signerName}"`,
    );
  }
  if (
    subresource === 'status' &&
    (statusOf(obj).certificate ?? '') !== (statusOf(old).certificate ?? '') &&
    !mayActAsSigner(authorizer, user, 'sign', signerName)
  ) {
    throw forbidden(
      CSR_RESOURCE,
      name,
      `user not permitted to sign requests with signerName "${signerName}"`,
    );
  }
}

/** Whether the request's subject names `group` as an organization (a request that does not parse does not). */
function requestsGroup(obj: KubeObject, group: string): boolean {
  const request = specOf(obj).request;
  if (typeof request !== 'string') return false;
  try {
    return csrSubject(parseCsr(Buffer.from(request, 'base64').toString('latin1'))).organizations.includes(
      group,
    );
  } catch {
    return false;
  }
}

function mayActAsSigner(authorizer: Authorizer, user: UserInfo, verb: string, signerName: string): boolean {
  const slash = signerName.indexOf('/');
  const names = slash > 0 ? [signerName, `${signerName.slice(0, slash)}/*`] : [signerName];
  return names.some(
    (name) =>
      authorizer.authorize({
        user,
        verb,
        resourceRequest: true,
        path: '',
        apiGroup: CERTIFICATES,
        apiVersion: '*',
        resource: 'signers',
        subresource: '',
        namespace: '',
        name,
      }).allowed,
  );
}
