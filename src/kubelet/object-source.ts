/** The API objects pod sync reads (ConfigMaps, Secrets, claims, volumes), by GET through the client. */
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret } from 'kubernetes-types/core/v1.js';
import { hasReason } from '../api/errors.js';
import { R, type ApiClient } from '../client/index.js';
import type { VolumeObjects } from './volumes/volume-manager.js';

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (hasReason(err, 'NotFound')) return undefined;
    throw err;
  }
}

export function apiObjectSource(client: ApiClient): VolumeObjects {
  return {
    configMap: (ns, name) => orUndefined(client.resource<ConfigMap>(R.configMaps).get(ns, name)),
    secret: (ns, name) => orUndefined(client.resource<Secret>(R.secrets).get(ns, name)),
    persistentVolumeClaim: (ns, name) =>
      orUndefined(client.resource<PersistentVolumeClaim>(R.persistentVolumeClaims).get(ns, name)),
    persistentVolume: (name) =>
      orUndefined(client.resource<PersistentVolume>(R.persistentVolumes).get('', name)),
    serviceAccountToken: async (ns, account) => {
      const list = await client
        .resource<Secret>(R.secrets)
        .list(ns, { fieldSelector: 'type=kubernetes.io/service-account-token' });
      const s = list.items.find(
        (x) =>
          x.type === 'kubernetes.io/service-account-token' &&
          x.metadata?.annotations?.['kubernetes.io/service-account.name'] === account &&
          x.data?.token,
      );
      return s?.data?.token ? Buffer.from(s.data.token, 'base64').toString('utf8') : undefined;
    },
  };
}
