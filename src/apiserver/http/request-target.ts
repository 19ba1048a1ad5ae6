/** The parts of a request's target that the handlers read: a URL has them, and so has a plain target. */
export interface RequestTarget {
  readonly pathname: string;
  readonly searchParams: URLSearchParams;
}

/**
 * A target that a URL parser would leave as it is: path and query characters it neither escapes nor
 * interprets (no `%`, `\`, `#`, quotes, spaces or non-ASCII in the path, no `'` in the query).
 */
const PLAIN_TARGET = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*)?$/;
/** `.` and `..` segments, which a URL parser resolves. */
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)/;

/**
 * Reads `req.url` as `new URL` would (a target not starting with `/` is the root, dot segments resolve),
 * without building a URL for the common target that has nothing to normalize: every request pays for this.
 */
export function requestTarget(rawUrl: string | undefined): RequestTarget {
  const raw = rawUrl?.startsWith('/') ? rawUrl : '/';
  if (PLAIN_TARGET.test(raw) && !DOT_SEGMENT.test(raw)) {
    const q = raw.indexOf('?');
    if (q < 0) return { pathname: raw, searchParams: new URLSearchParams() };
    return { pathname: raw.slice(0, q), searchParams: new URLSearchParams(raw.slice(q + 1)) };
  }
  // Prefixing the origin keeps a path that starts with `//` a path (new URL would read it as a host).
  return new URL(`http://localhost${raw}`);
}
