import type { Auditor } from './audit/auditor.js';
import type { NodeJoin } from './join/node-join.js';
import type { PodSecurityConfig } from './podsecurity/config.js';
import type { KubeletClientTls } from './streaming/pod-target.js';
import type { IncomingMessage } from 'node:http';
import type { Store } from '../store/types.js';
import type { Logger } from '../util/logger.js';
import type { MetricsProvider } from './metrics/provider.js';
import type { ServiceAddresses } from './services/allocators.js';

/** authentication.k8s.io UserInfo. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/**
 * Turns a request's credentials into a user.
 * Returns undefined when the request carries no credentials at all (anonymous),
 * throws an ApiError (401 Unauthorized) when it carries credentials that are wrong.
 */
export interface Authenticator {
  /** Synchronous for certificates and static tokens; a Promise only for tokens that need verifying (JWTs). */
  authenticate(req: IncomingMessage): UserInfo | undefined | Promise<UserInfo | undefined>;
}

export interface TlsMaterial {
  /** PEM serving certificate (chain) and key. */
  cert: string;
  key: string;
  /** PEM CA bundle that client certificates must chain to. */
  clientCA: string;
}

export interface ApiServerConfig {
  bindAddress: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Without TLS the server speaks plain HTTP (tests only; kubectl sends no credentials over http). */
  tls?: TlsMaterial;
  authenticator: Authenticator;
  store: Store;
  /** e.g. 10.43.0.0/16; the first address is the `kubernetes` service. */
  serviceCIDR: string;
  /** Address and port advertised in the `kubernetes` Endpoints. */
  advertiseAddress?: string;
  /** Events kept for watch resumption (older resourceVersions get 410 Expired). Default 4096. */
  watchCacheSize?: number;
  /** A watcher whose unsent bytes pass this is cut off instead of buffering without bound. Default 16 MiB. */
  watchMaxPendingBytes?: number;
  /** Events are deleted this long after their last write (kube-apiserver --event-ttl). Default 1 h. */
  eventTtlMs?: number;
  logger?: Logger;
  /**
   * Serves metrics.k8s.io/v1beta1 (kubectl top, the HPA) from this provider. It may also be set later on the
   * running server's context (`context.metrics`), once the metrics pipeline has a client of this server.
   */
  metrics?: MetricsProvider;
  /** Also serve plain HTTP on this Unix socket, as one fixed user (the server's own components). */
  localSocket?: { path: string; user: UserInfo };
  /** tolerationSeconds of the not-ready / unreachable NoExecute tolerations added to pods. Default 60. */
  defaultNotReadyTolerationSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
  /** Client certificate (CN kube-apiserver-kubelet-client) and CA for talking to node agents. */
  kubeletClient?: KubeletClientTls;
  /**
   * Service account tokens: the PEM RSA private key that signs them (TokenRequest, legacy token secrets) and
   * verifies them as bearer tokens. Without it TokenRequest answers 503 and JWTs are not accepted.
   */
  serviceAccount?: { signingKeyPem: string; issuer?: string; apiAudiences?: string[] };
  /** The PodSecurity admission plugin's defaults and exemptions (`--admission-control-config-file`). */
  podSecurity?: PodSecurityConfig;
  /** Audits requests by this policy into this sink (`--audit-policy-file` with `--audit-log-path`). */
  audit?: Auditor;
  /** Listen on this bound socket (a serving process's copy of the main process's) instead of on `port`. */
  listenHandle?: object;
  /**
   * Serve beside the main API server of the same store, as a second process: this one runs none of the
   * server's own housekeeping (compaction, the `kubernetes` Service, namespace and Event cleanup, CRD status)
   * and asks the main one for Service addresses.
   */
  replica?: { services: ServiceAddresses };
  /** Timing of the Service address repair pass (tests shorten it). */
  serviceAllocationRepair?: { intervalMs?: number; graceMs?: number };
  /** Admits node agents presenting the join token (`/cacerts`, the node credentials endpoint). */
  nodeJoin?: NodeJoin;
  /**
   * Creates the default `tugboat` IngressClass at start when it is missing (the built-in ingress controller's).
   * Default true; a server without that controller passes false.
   */
  ingressClass?: boolean;
  /** Create the default `local-path` StorageClass when missing (default true). */
  defaultStorageClass?: boolean;
}
