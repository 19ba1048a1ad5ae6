/**
 * Service account JWT claims, as upstream's pkg/serviceaccount/claims.go and legacy.go shape them.
 * Pure: times are given, nothing is signed here (see jwt.ts).
 */

/** Issuer and default API audience of bound tokens (kube-apiserver --service-account-issuer as k3s sets it). */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** Issuer of legacy (Secret-based) tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export const SERVICE_ACCOUNT_USER_PREFIX = 'system:serviceaccount:';
export const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
export const SERVICE_ACCOUNT_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

/** UserInfo.extra keys of bound tokens (k8s.io/apiserver serviceaccount package). */
export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

export interface Ref {
  name: string;
  uid: string;
}

/** The private `kubernetes.io` claim of a bound token. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
  /** Set on extended tokens: when the lifetime the client asked for ends (seconds since the epoch). */
  warnafter?: number;
}

export interface BoundClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

export interface LegacyClaims {
  iss: typeof LEGACY_ISSUER;
  sub: string;
  'kubernetes.io/serviceaccount/namespace': string;
  'kubernetes.io/serviceaccount/secret.name': string;
  'kubernetes.io/serviceaccount/service-account.name': string;
  'kubernetes.io/serviceaccount/service-account.uid': string;
}

export interface BoundTokenRequest {
  issuer: string;
  audiences: string[];
  /** Seconds since the epoch. */
  now: number;
  expirationSeconds: number;
  /** Extended tokens: the lifetime asked for, after which use is only warned about (upstream warnafter). */
  warnAfterSeconds?: number;
  jti: string;
  serviceAccount: { namespace: string; name: string; uid: string };
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_USER_PREFIX}${namespace}:${name}`;
}

/** `system:serviceaccount:NS:NAME` → its parts; undefined for any other user name. */
export function splitServiceAccountUsername(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) return undefined;
  const parts = user.slice(SERVICE_ACCOUNT_USER_PREFIX.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** Groups of a service account user, system:authenticated included. */
export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`, 'system:authenticated'];
}

export function boundClaims(r: BoundTokenRequest): BoundClaims {
  const k: KubernetesClaim = {
    namespace: r.serviceAccount.namespace,
    serviceaccount: { name: r.serviceAccount.name, uid: r.serviceAccount.uid },
  };
  if (r.pod) k.pod = { ...r.pod };
  if (r.secret) k.secret = { ...r.secret };
  if (r.node) k.node = { ...r.node };
  if (r.warnAfterSeconds !== undefined) k.warnafter = r.now + r.warnAfterSeconds;
  return {
    iss: r.issuer,
    sub: serviceAccountUsername(r.serviceAccount.namespace, r.serviceAccount.name),
    aud: [...r.audiences],
    exp: r.now + r.expirationSeconds,
    iat: r.now,
    nbf: r.now,
    jti: r.jti,
    'kubernetes.io': k,
  };
}

export function legacyClaims(
  sa: { namespace: string; name: string; uid: string },
  secretName: string,
): LegacyClaims {
  return {
    iss: LEGACY_ISSUER,
    sub: serviceAccountUsername(sa.namespace, sa.name),
    'kubernetes.io/serviceaccount/namespace': sa.namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': sa.name,
    'kubernetes.io/serviceaccount/service-account.uid': sa.uid,
  };
}

/** What a verified token asserts, before the objects it names are checked. */
export interface TokenSubject {
  namespace: string;
  serviceAccount: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
  /** Set for bound tokens. */
  jti?: string;
  legacy: boolean;
}

/** Reads the subject of a bound token's claims; throws on a malformed claim set. */
export function boundSubject(payload: Record<string, unknown>): TokenSubject {
  const k = payload['kubernetes.io'] as Partial<KubernetesClaim> | undefined;
  if (!k || typeof k !== 'object') throw new Error('token lacks the kubernetes.io claim');
  const sa = refOf(k.serviceaccount);
  if (!k.namespace || !sa) throw new Error('token lacks the service account claims');
  const parsed = splitServiceAccountUsername(typeof payload.sub === 'string' ? payload.sub : '');
  if (!parsed || parsed.namespace !== k.namespace || parsed.name !== sa.name) {
    throw new Error('sub claim does not name the token service account');
  }
  const out: TokenSubject = { namespace: k.namespace, serviceAccount: sa, legacy: false };
  const pod = refOf(k.pod);
  const secret = refOf(k.secret);
  const node = refOf(k.node);
  if (pod) out.pod = pod;
  if (secret) out.secret = secret;
  if (node) out.node = node;
  if (typeof payload.jti === 'string' && payload.jti) out.jti = payload.jti;
  return out;
}

/** Reads the subject of a legacy token's claims; throws on a malformed claim set. */
export function legacySubject(payload: Record<string, unknown>): TokenSubject {
  const str = (k: keyof LegacyClaims): string => {
    const v = payload[k];
    if (typeof v !== 'string' || !v) throw new Error(`token lacks the ${k} claim`);
    return v;
  };
  const namespace = str('kubernetes.io/serviceaccount/namespace');
  const name = str('kubernetes.io/serviceaccount/service-account.name');
  const uid = str('kubernetes.io/serviceaccount/service-account.uid');
  const secretName = str('kubernetes.io/serviceaccount/secret.name');
  if (str('sub') !== serviceAccountUsername(namespace, name)) {
    throw new Error('sub claim does not name the token service account');
  }
  return { namespace, serviceAccount: { name, uid }, secret: { name: secretName, uid: '' }, legacy: true };
}

function refOf(v: unknown): Ref | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const r = v as { name?: unknown; uid?: unknown };
  if (typeof r.name !== 'string' || !r.name) return undefined;
  return { name: r.name, uid: typeof r.uid === 'string' ? r.uid : '' };
}
