import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import { hasReason } from '../../api/errors.js';
import { R, type Informer } from '../../client/index.js';
import { PeriodicTask } from '../../util/periodic-task.js';
import type { Logger } from '../../util/logger.js';
import type { Controller, ControllerContext } from '../context.js';
import { cleanupReason, DEFAULT_CSR_RETENTION, type CsrRetention } from './cleanup.js';

/** Upstream's polling interval. */
const DEFAULT_PERIOD_MS = 60 * 60 * 1000;

const positive = (value: unknown, fallback: number): number =>
  typeof value === 'number' && value > 0 ? value : fallback;

/**
 * Upstream's csrcleaner: at start and then hourly, deletes certificate signing requests that were issued,
 * denied or failed more than an hour ago, pending for more than a day, or whose certificate has expired.
 * Options (milliseconds): `csrCleanerPeriodMs`, `csrApprovedRetentionMs`, `csrDeniedRetentionMs`,
 * `csrPendingRetentionMs`.
 */
export class CsrCleanerController extends PeriodicTask implements Controller {
  readonly name = 'csrcleaner';
  private readonly csrs: Informer<CertificateSigningRequest>;
  private readonly retention: CsrRetention;
  private readonly logger: Logger;

  constructor(private readonly ctx: ControllerContext) {
    super(positive(ctx.options.csrCleanerPeriodMs, DEFAULT_PERIOD_MS));
    this.logger = ctx.logger.child(this.name);
    const o = ctx.options;
    this.retention = {
      approvedMs: positive(o.csrApprovedRetentionMs, DEFAULT_CSR_RETENTION.approvedMs),
      deniedMs: positive(o.csrDeniedRetentionMs, DEFAULT_CSR_RETENTION.deniedMs),
      pendingMs: positive(o.csrPendingRetentionMs, DEFAULT_CSR_RETENTION.pendingMs),
    };
    this.csrs = ctx.informers.informer<CertificateSigningRequest>(R.certificateSigningRequests);
  }

  run(): void {
    this.start();
    void this.runOnce();
  }

  protected async runTask(): Promise<void> {
    const now = this.ctx.clock.now();
    for (const csr of this.csrs.list()) {
      const reason = cleanupReason(csr, now, this.retention);
      if (reason) await this.delete(csr, reason);
    }
  }

  private async delete(csr: CertificateSigningRequest, reason: string): Promise<void> {
    const name = csr.metadata?.name ?? '';
    const uid = csr.metadata?.uid;
    this.logger.info(`deleting certificate signing request: ${reason}`, { csr: name });
    try {
      await this.ctx.client
        .resource<CertificateSigningRequest>(R.certificateSigningRequests)
        .delete('', name, uid ? { preconditions: { uid } } : {});
    } catch (err) {
      if (hasReason(err, 'NotFound') || hasReason(err, 'Conflict')) return;
      this.logger.warn('could not delete a certificate signing request', {
        csr: name,
        error: String(err),
      });
    }
  }
}
