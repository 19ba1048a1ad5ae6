import type { IncomingMessage } from 'node:http';
import { looksLikeJwt, unverifiedClaims } from '../../api/serviceaccount/jwt.js';
import { badRequest, fieldErr, invalid, isApiError, type FieldError } from '../../api/errors.js';
import { aggregate, nodeIdentity, nonResourceAttributes, type Attributes } from '../authz/index.js';
import { apiVersionOf, isPlainObject, type KubeObject } from '../../api/meta.js';
import type { UserInfo } from '../config.js';
import type { ApiContext, RequestScope } from './context.js';
import { toCanonical } from './lifecycle.js';

/** Review kinds are computed, never stored: access reviews ask the authorizer, TokenReview the authenticators. */
export async function createReview(ctx: ApiContext, s: RequestScope, body: KubeObject): Promise<void> {
  const obj = toCanonical(s.served, body);
  const kind = s.served.def.kind;
  obj.metadata = { ...(obj.metadata ?? {}), creationTimestamp: null };
  switch (kind) {
    case 'SelfSubjectAccessReview':
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview':
      obj.status = accessReviewStatus(ctx, s, obj);
      break;
    case 'SelfSubjectRulesReview':
      // Upstream answers with the status alone.
      obj.status = rulesReviewStatus(ctx, s.user, obj);
      delete obj.spec;
      break;
    case 'SelfSubjectReview':
      obj.status = { userInfo: userInfoJson(s.user) };
      break;
    case 'TokenReview':
      obj.status = await tokenReviewStatus(ctx, obj);
      break;
    default:
      throw badRequest(`${kind} cannot be created`);
  }
  obj.apiVersion = apiVersionOf(s.served.group, s.served.version);
  s.out.json(201, obj);
}

interface AccessReviewSpec {
  resourceAttributes?: Record<string, unknown>;
  nonResourceAttributes?: Record<string, unknown>;
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** Review bodies are not type-checked on decode: read lists leniently rather than fail on a stray type. */
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The user and attributes a SubjectAccessReview asks about, validated as upstream. */
function reviewedAttributes(s: RequestScope, obj: KubeObject): Attributes {
  const kind = s.served.def.kind;
  const spec = (obj.spec ?? {}) as AccessReviewSpec;
  const errors: FieldError[] = [];
  if (spec.resourceAttributes && spec.nonResourceAttributes)
    errors.push(
      fieldErr.invalid(
        'spec.nonResourceAttributes',
        spec.nonResourceAttributes,
        'cannot be specified in combination with resourceAttributes',
      ),
    );
  if (!spec.resourceAttributes && !spec.nonResourceAttributes)
    errors.push(
      fieldErr.invalid(
        'spec.resourceAttributes',
        null,
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    );
  const self = kind === 'SelfSubjectAccessReview';
  if (!self && !str(spec.user) && strings(spec.groups).length === 0)
    errors.push(
      fieldErr.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'),
    );
  if (errors.length > 0) throw invalid(kind, s.served.group, obj.metadata?.name ?? '', errors);
  const ra = spec.resourceAttributes;
  if (kind === 'LocalSubjectAccessReview') {
    const namespace = obj.metadata?.namespace || s.namespace || '';
    if (namespace !== s.namespace)
      throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${s.namespace ?? ''}`);
    const local: FieldError[] = [];
    if (ra && str(ra.namespace) !== namespace)
      local.push(
        fieldErr.invalid(
          'spec.resourceAttributes.namespace',
          str(ra.namespace),
          'must match metadata.namespace',
        ),
      );
    if (spec.nonResourceAttributes)
      local.push(
        fieldErr.invalid(
          'spec.nonResourceAttributes',
          spec.nonResourceAttributes,
          'disallowed on this kind of request',
        ),
      );
    if (local.length > 0) throw invalid(kind, s.served.group, obj.metadata?.name ?? '', local);
  }
  const user: UserInfo = self
    ? s.user
    : {
        username: str(spec.user),
        groups: strings(spec.groups),
        ...(str(spec.uid) ? { uid: str(spec.uid) } : {}),
        ...(isPlainObject(spec.extra)
          ? {
              extra: Object.fromEntries(
                Object.entries(spec.extra as Record<string, unknown>).map(([k, v]) => [k, strings(v)]),
              ),
            }
          : {}),
      };
  if (!ra) {
    const nra = spec.nonResourceAttributes ?? {};
    return nonResourceAttributes(user, str(nra.verb), str(nra.path));
  }
  return {
    user,
    verb: str(ra.verb),
    resourceRequest: true,
    path: '',
    apiGroup: str(ra.group),
    apiVersion: str(ra.version),
    resource: str(ra.resource),
    subresource: str(ra.subresource),
    namespace: str(ra.namespace),
    name: str(ra.name),
  };
}

function accessReviewStatus(ctx: ApiContext, s: RequestScope, obj: KubeObject): Record<string, unknown> {
  const decision = ctx.authz.authorizer.authorize(reviewedAttributes(s, obj));
  return { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
}

/**
 * What the user may do in `spec.namespace`, as `kubectl auth can-i --list` shows it: the RBAC rules that apply
 * (system:masters adds none of its own, as upstream; its members hold cluster-admin's). A role that cannot be
 * read is named in `evaluationError`. A node's answer is marked incomplete, as upstream's.
 */
function rulesReviewStatus(ctx: ApiContext, user: UserInfo, obj: KubeObject): Record<string, unknown> {
  const namespace = str((obj.spec as { namespace?: unknown } | undefined)?.namespace);
  if (!namespace) throw badRequest(`no namespace on request`);
  const resourceRules: Record<string, string[]>[] = [];
  const nonResourceRules: Record<string, string[]>[] = [];
  const { rules, errors } = ctx.authz.authorizer.rulesFor(user, namespace);
  // Upstream's Node authorizer cannot list what it allows (it depends on the pods bound to the node).
  const incomplete = nodeIdentity(user) !== undefined;
  if (incomplete) errors.unshift('node authorizer does not support user rule resolution');
  for (const r of rules) {
    if (r.resources?.length)
      resourceRules.push({
        verbs: r.verbs,
        apiGroups: r.apiGroups ?? [],
        resources: r.resources,
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      });
    if (r.nonResourceURLs?.length)
      nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
  }
  return {
    resourceRules,
    nonResourceRules,
    incomplete,
    ...(errors.length > 0 ? { evaluationError: aggregate(errors) } : {}),
  };
}

function userInfoJson(user: UserInfo): Record<string, unknown> {
  const u: Record<string, unknown> = { username: user.username, groups: user.groups };
  if (user.uid) u.uid = user.uid;
  if (user.extra) u.extra = user.extra;
  return u;
}

/**
 * As upstream: the token authenticators decide (client certificates play no part). With spec.audiences the
 * token must be meant for one of them; status.audiences names the audiences it was valid for.
 */
async function tokenReviewStatus(ctx: ApiContext, obj: KubeObject): Promise<Record<string, unknown>> {
  const spec = (obj.spec ?? {}) as { token?: string; audiences?: string[] };
  const token = spec.token;
  if (!token) return { authenticated: false, error: 'token is required' };
  const wanted = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences : undefined;
  const tokens = ctx.serviceAccountTokens;
  if (tokens && looksLikeJwt(token)) {
    try {
      const audiences = wanted ?? tokens.apiAudiences;
      const user = await tokens.authenticate(token, audiences);
      return { authenticated: true, user: userInfoJson(user), audiences: validAudiences(token, audiences) };
    } catch (err) {
      return { authenticated: false, error: err instanceof Error ? err.message : 'invalid token' };
    }
  }
  const fake = { headers: { authorization: `Bearer ${token}` }, socket: {} } as unknown as IncomingMessage;
  try {
    const user = await ctx.authenticator.authenticate(fake);
    if (!user) return { authenticated: false };
    // Static tokens are valid for the API's audiences only.
    const apiAudiences = tokens?.apiAudiences ?? [];
    const audiences = wanted ? wanted.filter((a) => apiAudiences.includes(a)) : apiAudiences;
    if (wanted && audiences.length === 0)
      return { authenticated: false, error: 'token audiences is invalid' };
    return { authenticated: true, user: userInfoJson(user), ...(audiences.length ? { audiences } : {}) };
  } catch (err) {
    return { authenticated: false, error: isApiError(err) ? err.message : 'invalid token' };
  }
}

/** The requested audiences the (already verified) token names. */
function validAudiences(token: string, requested: string[]): string[] {
  const aud = unverifiedClaims(token)?.aud;
  if (aud === undefined) return requested; // legacy tokens are valid for the API audiences
  const named = Array.isArray(aud) ? aud : [aud];
  return requested.filter((a) => named.includes(a));
}
