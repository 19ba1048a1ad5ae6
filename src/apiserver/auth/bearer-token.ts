/**
 * The token of an `Authorization: Bearer <token>` header, read as upstream's bearer token authenticator does:
 * the header trimmed, split on single spaces, the first field `bearer` in any case, the second the token.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim();
  // Every request carries this header: find the fields without splitting it.
  if (h.length < 8 || h.charCodeAt(6) !== 32) return undefined;
  if (!h.startsWith('Bearer') && h.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  const end = h.indexOf(' ', 7);
  const token = end < 0 ? h.slice(7) : h.slice(7, end);
  return token ? token : undefined;
}
