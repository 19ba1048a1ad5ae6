import type { IncomingMessage } from 'node:http';
import { badRequest, isApiError } from '../../api/errors.js';
import { apiVersionOf, type KubeObject } from '../../api/meta.js';
import type { UserInfo } from '../config.js';
import type { ApiContext, RequestScope } from './context.js';
import { toCanonical } from './lifecycle.js';

/**
 * Review kinds are computed, never stored. Every authenticated user may do everything until RBAC lands,
 * so access reviews answer allowed.
 */
export function createReview(ctx: ApiContext, s: RequestScope, body: KubeObject): void {
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
      obj.status = tokenReviewStatus(ctx, obj);
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

function tokenReviewStatus(ctx: ApiContext, obj: KubeObject): Record<string, unknown> {
  const token = (obj.spec as { token?: string } | undefined)?.token;
  if (!token) return { authenticated: false, error: 'token is required' };
  const fake = { headers: { authorization: `Bearer ${token}` }, socket: {} } as unknown as IncomingMessage;
  try {
    const user = ctx.authenticator.authenticate(fake);
    return user ? { authenticated: true, user: userInfoJson(user) } : { authenticated: false };
  } catch (err) {
    return { authenticated: false, error: isApiError(err) ? err.message : 'invalid token' };
  }
}
