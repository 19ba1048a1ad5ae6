/** 403 answers for requests the authorizer refused, worded as upstream's (kubectl prints them as they are). */
import { ApiError, forbidden } from '../../api/errors.js';
import type { Attributes } from './types.js';

const q = (s: string): string => JSON.stringify(s);

export function forbiddenMessage(attrs: Attributes): string {
  const user = q(attrs.user.username);
  if (!attrs.resourceRequest) return `User ${user} cannot ${attrs.verb} path ${q(attrs.path)}`;
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const what = `User ${user} cannot ${attrs.verb} resource ${q(resource)} in API group ${q(attrs.apiGroup)}`;
  return attrs.namespace ? `${what} in the namespace ${q(attrs.namespace)}` : `${what} at the cluster scope`;
}

/** Upstream escapes these in refusals, which may end up in HTML. */
const sanitize = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `pods "x" is forbidden: User "bob" cannot get resource "pods" …[: reason]`. */
export function forbiddenError(attrs: Attributes, reason: string): ApiError {
  const said = sanitize(forbiddenMessage(attrs));
  const message = reason ? `${said}: ${reason}` : said;
  if (!attrs.resourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${message}`, {});
  return forbidden({ group: attrs.apiGroup, resource: attrs.resource }, attrs.name, message);
}
