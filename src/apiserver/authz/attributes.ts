/** A request as the authorizer sees it (upstream's RequestInfo → authorizer.Attributes). */
import { parseFieldSelector } from '../../api/fields.js';
import type { UserInfo } from '../config.js';
import type { Route } from '../http/route.js';
import type { Attributes } from './types.js';

const RESOURCE_VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

const truthy = (v: string | null): boolean => v === 'true' || v === '1';

/** The object name a list or watch is narrowed to by `fieldSelector=metadata.name=X`, as upstream reads it. */
function selectedName(query: URLSearchParams): string {
  const selector = query.get('fieldSelector');
  if (!selector) return '';
  let name: string | undefined;
  try {
    name = parseFieldSelector(selector).requiresExactMatch('metadata.name');
  } catch {
    return ''; // a malformed selector is the list handler's 400 to give
  }
  // Only a name that could be a path segment (upstream's IsValidPathSegmentName).
  return name && !/[/%]/.test(name) && name !== '.' && name !== '..' ? name : '';
}

export function nonResourceAttributes(user: UserInfo, method: string, path: string): Attributes {
  return {
    user,
    verb: method.toLowerCase(),
    resourceRequest: false,
    path,
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
  };
}

export function requestAttributes(
  user: UserInfo,
  method: string,
  url: { pathname: string; searchParams: URLSearchParams },
  route: Route,
): Attributes {
  if (route.type !== 'resource') return nonResourceAttributes(user, method, url.pathname);
  let verb = route.watchPrefix ? 'watch' : (RESOURCE_VERBS[method] ?? '');
  let name = route.name ?? '';
  // A Namespace is its own namespace: a RoleBinding in `team` may grant reading Namespace `team`.
  const namespace =
    route.namespace ?? (route.group === '' && route.resource === 'namespaces' && name ? name : '');
  if (!name && verb === 'get') {
    verb = truthy(url.searchParams.get('watch')) ? 'watch' : 'list';
    name = selectedName(url.searchParams);
  } else if (!name && verb === 'delete') {
    verb = 'deletecollection';
  }
  return {
    user,
    verb,
    resourceRequest: true,
    path: url.pathname,
    apiGroup: route.group,
    apiVersion: route.version,
    resource: route.resource,
    subresource: route.subresource ?? '',
    namespace,
    name,
  };
}
