import type { Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../../api/errors.js';
import {
  legacyClaims,
  SERVICE_ACCOUNT_NAME_ANNOTATION,
  SERVICE_ACCOUNT_TOKEN_SECRET_TYPE,
  SERVICE_ACCOUNT_UID_ANNOTATION,
} from '../../api/serviceaccount/claims.js';
import { TokenSigner } from '../../api/serviceaccount/jwt.js';
import { R, type Informer } from '../../client/index.js';
import type { ControllerContext } from '../context.js';
import { QueueController } from '../queue-controller.js';

/**
 * Upstream's service account tokens controller (pkg/controller/serviceaccount/tokens_controller.go): a Secret of
 * type `kubernetes.io/service-account-token` whose annotation names an existing ServiceAccount gets a
 * non-expiring legacy token bound to the secret in `data.token`, the cluster CA in `data.ca.crt` and its
 * namespace in `data.namespace`, and the account's uid as an annotation. Secrets of accounts that are gone (or
 * were re-created under another uid) are deleted. Needs the `serviceAccountKeyPem` option (the signing key);
 * without it the controller does nothing.
 */
export class TokensController extends QueueController {
  private readonly secrets: Informer<Secret>;
  private readonly accounts: Informer<ServiceAccount>;
  private readonly signer: TokenSigner | undefined;
  private readonly caPem: string;

  constructor(ctx: ControllerContext) {
    super('serviceaccount-token', ctx);
    const key = ctx.options.serviceAccountKeyPem;
    this.signer = typeof key === 'string' && key !== '' ? new TokenSigner(key) : undefined;
    const ca = ctx.options.rootCaPem;
    this.caPem = typeof ca === 'string' ? ca : '';
    this.secrets = ctx.informers.informer<Secret>(R.secrets, {
      fieldSelector: `type=${SERVICE_ACCOUNT_TOKEN_SECRET_TYPE}`,
    });
    this.accounts = ctx.informers.informer<ServiceAccount>(R.serviceAccounts);
    if (!this.signer) return;
    this.secrets.addEventHandler({ add: (s) => this.enqueue(s), update: (_, s) => this.enqueue(s) });
    const bySecretsOf = (sa: ServiceAccount): void => {
      const ns = sa.metadata?.namespace ?? '';
      for (const s of this.secrets.list(ns)) {
        if (s.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] === sa.metadata?.name) this.enqueue(s);
      }
    };
    this.accounts.addEventHandler({
      add: bySecretsOf,
      update: (_, sa) => bySecretsOf(sa),
      delete: bySecretsOf,
    });
  }

  protected async sync(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const secret = this.secrets.get(namespace, name);
    if (!this.signer || !secret || secret.type !== SERVICE_ACCOUNT_TOKEN_SECRET_TYPE) return;
    if (secret.metadata?.deletionTimestamp) return;
    const annotations = secret.metadata?.annotations ?? {};
    const saName = annotations[SERVICE_ACCOUNT_NAME_ANNOTATION];
    if (!saName) return;
    const sa = await this.account(namespace, saName);
    const wantedUid = annotations[SERVICE_ACCOUNT_UID_ANNOTATION];
    if (!sa || (wantedUid && wantedUid !== sa.metadata?.uid)) {
      await this.deleteSecret(secret);
      return;
    }
    const saUid = sa.metadata?.uid ?? '';
    const data = { ...(secret.data ?? {}) };
    const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
    let changed = false;
    if (!data.token) {
      data.token = b64(await this.signer.sign(legacyClaims({ namespace, name: saName, uid: saUid }, name)));
      changed = true;
    }
    if (this.caPem && data['ca.crt'] !== b64(this.caPem)) {
      data['ca.crt'] = b64(this.caPem);
      changed = true;
    }
    if (data.namespace !== b64(namespace)) {
      data.namespace = b64(namespace);
      changed = true;
    }
    if (!changed && wantedUid === saUid) return;
    try {
      await this.ctx.client.resource<Secret>(R.secrets).update({
        ...secret,
        metadata: {
          ...secret.metadata,
          annotations: { ...annotations, [SERVICE_ACCOUNT_UID_ANNOTATION]: saUid },
        },
        data,
      });
    } catch (err) {
      if (hasReason(err, 'NotFound')) return;
      throw err; // Conflict: the cache lags; retried with the newer secret
    }
  }

  /** The account from the cache, else from the API (it may be newer than the cache). */
  private async account(namespace: string, name: string): Promise<ServiceAccount | undefined> {
    const cached = this.accounts.get(namespace, name);
    if (cached) return cached;
    try {
      return await this.ctx.client.resource<ServiceAccount>(R.serviceAccounts).get(namespace, name);
    } catch (err) {
      if (hasReason(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  private async deleteSecret(secret: Secret): Promise<void> {
    const uid = secret.metadata?.uid;
    try {
      await this.ctx.client
        .resource<Secret>(R.secrets)
        .delete(
          secret.metadata?.namespace ?? '',
          secret.metadata?.name ?? '',
          uid ? { preconditions: { uid } } : {},
        );
    } catch (err) {
      if (hasReason(err, 'NotFound') || hasReason(err, 'Conflict')) return;
      throw err;
    }
  }
}
