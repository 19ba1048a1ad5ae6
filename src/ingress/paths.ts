/**
 * Path matching of Ingress rules, as the Ingress specification defines it: `Exact` compares the whole path,
 * case-sensitively; `Prefix` compares path elements split by `/`, ignoring a trailing slash, so `/foo` matches
 * `/foo`, `/foo/` and `/foo/bar` but not `/foobar`. `ImplementationSpecific` is matched as `Prefix` here.
 * Pure.
 */

export type PathKind = 'Exact' | 'Prefix';

/** A rule's path in comparable form: Prefix paths lose their trailing slashes (`/` stays `/`). */
export function normalizeRulePath(path: string, kind: PathKind): string {
  if (kind === 'Exact') return path;
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** Whether a request path (no query) matches a normalized rule path. */
export function pathMatches(rulePath: string, kind: PathKind, requestPath: string): boolean {
  if (kind === 'Exact') return requestPath === rulePath;
  if (rulePath === '/') return true;
  if (!requestPath.startsWith(rulePath)) return false;
  // The next character must end an element: `/foo` matches `/foo` and `/foo/…`, not `/foobar`.
  const next = requestPath.charAt(rulePath.length);
  return next === '' || next === '/';
}

/** The request target's path: before `?`, `/` when empty. */
export function requestPathOf(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path === '' ? '/' : path;
}
