import type { NodeJoin } from '../join/node-join.js';
import type { KubeletClientTls } from '../streaming/pod-target.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import type { UserInfo, Authenticator } from '../config.js';
import type { ApiExtensions } from '../extensions.js';
import type { Responder } from '../http/respond.js';
import type { ResponseFormat } from '../http/negotiate.js';
import type { Registry, ServedResource } from '../registry/index.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { WatchCache } from '../watch/watch-cache.js';
import type { Admission } from './admission.js';
import type { Authorization } from '../authz/index.js';
import type { MetricsProvider } from '../metrics/provider.js';
import type { ServiceAccountTokens } from '../serviceaccount/tokens.js';
import type { WebhookAdmission } from '../webhooks/dispatcher.js';
import type { Auditor } from '../audit/auditor.js';

/** Everything request handlers share for the server's lifetime. */
export interface ApiContext {
  registry: Registry;
  storage: ObjectStorage;
  watchCache: WatchCache;
  ext: ApiExtensions;
  admission: Admission;
  authenticator: Authenticator;
  /** Decides what each (authenticated, possibly impersonated) user may do. */
  authz: Authorization;
  clock: Clock;
  logger: Logger;
  /** Generates object uids (injectable for tests). */
  newUid(): string;
  /** Random suffix for generateName. */
  randomSuffix(): string;
  /** Unsent bytes at which a slow watcher is cut off. */
  watchMaxPendingBytes: number;
  /** Set while shutting down: watches end, new requests get 503. */
  closing: boolean;
  /** Serves metrics.k8s.io when set. */
  metrics?: MetricsProvider;
  /** Client TLS towards node agents (pods/log, exec, attach); without it those answer 503/400. */
  kubeletClient?: KubeletClientTls;
  /** Issues and verifies service account tokens when the server has a signing key. */
  serviceAccountTokens?: ServiceAccountTokens;
  /** Admission webhooks (Mutating/ValidatingWebhookConfigurations). */
  webhooks?: WebhookAdmission;
  /** Admits node agents presenting the join token. */
  nodeJoin?: NodeJoin;
  /** Set in an API worker process, which serves beside the main server over its store. */
  replica?: boolean;
  /** The audit policy and log (`--audit-policy-file`), when set. */
  audit?: Auditor;
}

/** One resource request, after routing and authentication. */
export interface RequestScope {
  served: ServedResource;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  user: UserInfo;
  out: Responder;
  format: ResponseFormat;
  /** Default field manager when the request names none (upstream derives it from the User-Agent). */
  userAgent?: string;
}

export function isDryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}
