/** The API objects pod sync reads (ConfigMaps, Secrets, claims, volumes, tokens), through the client. */
import type {
  ConfigMap,
  PersistentVolume,
  PersistentVolumeClaim,
  Secret,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import { hasReason } from '../api/errors.js';
import { R, type ApiClient } from '../client/index.js';
import type { RequestToken, TokenManager } from './token-manager.js';
import type { VolumeObjects } from './volumes/volume-manager.js';

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (hasReason(err, 'NotFound')) return undefined;
    throw err;
  }
}

/** Asks the API for a token of `serviceAccount`: POST …/serviceaccounts/NAME/token. */
export function tokenRequester(client: ApiClient): RequestToken {
  return async (namespace, serviceAccount, spec) => {
    const res = await client
      .resource<ServiceAccount>(R.serviceAccounts)
      .createSubresource<{ status?: { token?: string; expirationTimestamp?: string } }>(
        namespace,
        serviceAccount,
        'token',
        { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec },
      );
    const token = res.status?.token;
    const expiresAt = Date.parse(res.status?.expirationTimestamp ?? '');
    if (!token || Number.isNaN(expiresAt)) throw new Error('the TokenRequest answer holds no token');
    return { token, expiresAt };
  };
}

export function apiObjectSource(client: ApiClient, tokens: TokenManager): VolumeObjects {
  return {
    configMap: (ns, name) => orUndefined(client.resource<ConfigMap>(R.configMaps).get(ns, name)),
    secret: (ns, name) => orUndefined(client.resource<Secret>(R.secrets).get(ns, name)),
    persistentVolumeClaim: (ns, name) =>
      orUndefined(client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims).get(ns, name)),
    persistentVolume: (name) =>
      orUndefined(client.resource<PersistentVolume>(R.persistentVolumes).get('', name)),
    serviceAccountToken: (pod, source) => tokens.token(pod, source),
    forgetPod: (uid) => tokens.forgetPod(uid),
  };
}
