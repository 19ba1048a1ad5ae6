import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { CLUSTER_SIGNERS, signerRuleProblem } from '../../api/csr-signers.js';
import { hasReason } from '../../api/errors.js';
import { R, type Informer } from '../../client/index.js';
import { rfc3339 } from '../../util/clock.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';
import {
  CertificateAuthority,
  certificateLifetimeMs,
  certificateValidity,
  DEFAULT_SIGNING_DURATION_MS,
} from './authority.js';
import { isApproved, isIssued, trueCondition } from './conditions.js';

/** The `clusterSigning` option: the CA that signs (upstream's --cluster-signing-{cert,key}-file and -duration). */
export interface ClusterSigningOptions {
  certPem: string;
  keyPem: string;
  /** The longest lifetime of an issued certificate (default a year). */
  durationMs?: number;
}

function clusterSigningOption(value: unknown): ClusterSigningOptions | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { certPem, keyPem, durationMs } = value as Record<string, unknown>;
  if (typeof certPem !== 'string' || certPem === '' || typeof keyPem !== 'string' || keyPem === '')
    return undefined;
  return { certPem, keyPem, ...(typeof durationMs === 'number' && durationMs > 0 ? { durationMs } : {}) };
}

/**
 * Upstream's csrsigning controller: an approved request for one of the `kubernetes.io` signers the cluster CA
 * stands for gets a certificate from that CA in `status.certificate`, unless it breaks the signer's rules, in
 * which case it gets a `Failed` condition instead. Requests for other signers are left to their signers. Needs
 * the `clusterSigning` option; without it the controller does nothing.
 */
export class CsrSigningController extends QueueController {
  private readonly csrs: Informer<CertificateSigningRequest>;
  private readonly ca: CertificateAuthority | undefined;
  private readonly maxLifetimeMs: number;

  constructor(ctx: ControllerContext) {
    super('csrsigning', ctx);
    this.csrs = ctx.informers.informer<CertificateSigningRequest>(R.certificateSigningRequests);
    const signing = clusterSigningOption(ctx.options.clusterSigning);
    this.maxLifetimeMs = signing?.durationMs ?? DEFAULT_SIGNING_DURATION_MS;
    this.ca = signing ? this.loadCa(signing) : undefined;
    if (!signing) this.logger.info('no cluster signing CA: certificate signing requests are not signed');
    if (!this.ca) return;
    this.csrs.addEventHandler({ add: (c) => this.enqueue(c), update: (_, c) => this.enqueue(c) });
  }

  private loadCa(signing: ClusterSigningOptions): CertificateAuthority | undefined {
    try {
      return new CertificateAuthority(signing.certPem, signing.keyPem);
    } catch (err) {
      this.logger.error('unusable cluster signing CA: certificate signing requests are not signed', {
        error: (err as Error).message,
      });
      return undefined;
    }
  }

  protected async sync(name: string): Promise<void> {
    const csr = this.csrs.get('', name);
    if (!this.ca || !csr || isIssued(csr)) return;
    if (!isApproved(csr) || trueCondition(csr, 'Failed')) return;
    const signerName = csr.spec.signerName;
    if (!CLUSTER_SIGNERS.includes(signerName)) return;
    // Loaded on the first request to sign: the ASN.1 and X.509 code stays out of servers that never sign.
    const { readRequest } = await import('./request-signing.js');
    const request = readRequest(name, csr.spec.request);
    const usages = csr.spec.usages ?? [];
    const problem = signerRuleProblem(signerName, request, usages);
    if (problem !== undefined) {
      await this.writeStatus(csr, {
        ...csr.status,
        conditions: [
          ...(csr.status?.conditions ?? []),
          {
            type: 'Failed',
            status: 'True',
            reason: 'SignerValidationFailure',
            message: problem,
            lastUpdateTime: rfc3339(this.ctx.clock.now()),
          },
        ],
      });
      return;
    }
    const lifetime = certificateLifetimeMs(csr.spec.expirationSeconds, this.maxLifetimeMs);
    const validity = certificateValidity(this.ctx.clock.now(), lifetime, this.ca.notAfterMs);
    const pem = await this.ca.issue(request.csr, usages, validity);
    await this.writeStatus(csr, { ...csr.status, certificate: Buffer.from(pem).toString('base64') });
  }

  /** Through the status subresource, at the cached resourceVersion: a stale cache conflicts and is retried. */
  private async writeStatus(
    csr: CertificateSigningRequest,
    status: CertificateSigningRequest['status'],
  ): Promise<void> {
    try {
      await this.ctx.client
        .resource<CertificateSigningRequest>(R.certificateSigningRequests)
        .updateStatus({ ...csr, status });
    } catch (err) {
      if (hasReason(err, 'NotFound')) return;
      throw err;
    }
  }
}
