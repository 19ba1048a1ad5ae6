/**
 * `Impersonate-*` headers (kubectl --as, --as-group, --as-uid): the requester must be allowed to `impersonate`
 * each user, group, uid and extra value asked for; the request then runs as that user. As upstream's
 * WithImpersonation filter.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../../api/errors.js';
import type { UserInfo } from '../config.js';
import { AUTHENTICATED_GROUP } from '../auth/users.js';
import type { Authorizer } from './authorizer.js';
import { forbiddenError } from './forbidden.js';
import { splitServiceAccountUsername } from './rules.js';
import type { Attributes } from './types.js';

const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
const ANONYMOUS_USER = 'system:anonymous';
const AUTHENTICATION_GROUP = 'authentication.k8s.io';
const EXTRA_PREFIX = 'impersonate-extra-';

type Target = Pick<Attributes, 'apiGroup' | 'resource' | 'subresource' | 'namespace' | 'name'>;

const target = (resource: string, name: string, extra: Partial<Target> = {}): Target => ({
  apiGroup: '',
  resource,
  subresource: '',
  namespace: '',
  name,
  ...extra,
});

function unescapeKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

/** Whether any header asks for impersonation: a scan of the raw names, cheaper than parsing them all. */
function asksToImpersonate(req: IncomingMessage): boolean {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (
      name.length > 12 &&
      (name[0] === 'I' || name[0] === 'i') &&
      name.toLowerCase().startsWith('impersonate-')
    )
      return true;
  }
  return false;
}

/** The user the request acts as: `user` itself when it asks to impersonate nobody. */
export function impersonatedUser(authorizer: Authorizer, user: UserInfo, req: IncomingMessage): UserInfo {
  if (!asksToImpersonate(req)) return user;
  const headers = req.headersDistinct;
  const username = headers['impersonate-user']?.[0] ?? '';
  const groups = headers['impersonate-group'] ?? [];
  const uid = headers['impersonate-uid']?.[0] ?? '';
  const extras = new Map<string, string[]>();
  for (const [header, values] of Object.entries(headers)) {
    if (!header.startsWith(EXTRA_PREFIX) || !values) continue;
    // Lower-cased first, then unescaped, as upstream: `%4A` stays an upper-case J.
    const key = unescapeKey(header.slice(EXTRA_PREFIX.length).toLowerCase());
    extras.set(key, [...(extras.get(key) ?? []), ...values]);
  }
  if (!username) {
    if (groups.length === 0 && extras.size === 0 && !uid) return user;
    throw badRequest('requested impersonation of groups, a uid or extra values without impersonating a user');
  }

  const targets: Target[] = [];
  const result: UserInfo = { username, groups: [...groups] };
  const serviceAccount = splitServiceAccountUsername(username);
  if (serviceAccount) {
    targets.push(target('serviceaccounts', serviceAccount.name, { namespace: serviceAccount.namespace }));
    if (groups.length === 0)
      result.groups = ['system:serviceaccounts', `system:serviceaccounts:${serviceAccount.namespace}`];
  } else {
    targets.push(target('users', username));
  }
  for (const g of groups) targets.push(target('groups', g));
  for (const [key, values] of extras) {
    for (const v of values)
      targets.push(target('userextras', v, { apiGroup: AUTHENTICATION_GROUP, subresource: key }));
    (result.extra ??= {})[key] = values;
  }
  if (uid) {
    targets.push(target('uids', uid, { apiGroup: AUTHENTICATION_GROUP }));
    result.uid = uid;
  }
  for (const t of targets) {
    const attrs: Attributes = {
      user,
      verb: 'impersonate',
      resourceRequest: true,
      path: '',
      apiVersion: '',
      ...t,
    };
    const decision = authorizer.authorize(attrs);
    if (!decision.allowed) throw forbiddenError(attrs, decision.reason);
  }
  // Anyone but the anonymous user is authenticated, unless the groups asked for say otherwise.
  const { groups: g } = result;
  if (username === ANONYMOUS_USER) {
    if (!g.includes(UNAUTHENTICATED_GROUP)) g.push(UNAUTHENTICATED_GROUP);
  } else if (!g.includes(AUTHENTICATED_GROUP) && !g.includes(UNAUTHENTICATED_GROUP)) {
    g.push(AUTHENTICATED_GROUP);
  }
  return result;
}
