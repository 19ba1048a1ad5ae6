import type { IncomingMessage } from 'node:http';
import { looksLikeJwt, unverifiedClaims } from '../../api/serviceaccount/jwt.js';
import { badRequest, isApiError } from '../../api/errors.js';
import { apiVersionOf, type KubeObject } from '../../api/meta.js';
import type { UserInfo } from '../config.js';
import type { ApiContext, RequestScope } from './context.js';
import { toCanonical } from './lifecycle.js';

/**
 * Review kinds are computed, never stored. Every authenticated user may do everything until RBAC lands,
 * so access reviews answer allowed.
 */
export async function createReview(ctx: ApiContext, s: RequestScope, body: KubeObject): Promise<void> {
  const obj = toCanonical(s.served, body);
  const kind = s.served.def.kind;
  obj.metadata = { ...(obj.metadata ?? {}), creationTimestamp: null };
  switch (kind) {
    case 'SelfSubjectAccessReview':
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview':
      obj.status = {
        allowed: true,
        reason: 'all authenticated users are allowed (no authorizer configured)',
      };
      break;
    case 'SelfSubjectRulesReview':
      obj.status = {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
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
