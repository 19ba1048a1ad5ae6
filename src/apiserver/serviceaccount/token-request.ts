import {
  ApiError,
  badRequest,
  conflict,
  fieldErr,
  invalid,
  notFound,
  type FieldError,
} from '../../api/errors.js';
import { isPlainObject, type KubeObject, type StoredObject } from '../../api/meta.js';
import { rfc3339 } from '../../util/clock.js';
import type { ApiContext, RequestScope } from '../rest/context.js';
import type { IssueRequest } from './tokens.js';

/** Defaults and limits of TokenRequest (pkg/apis/authentication and its validation). */
export const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

interface BoundObjectRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: BoundObjectRef;
}

/** Upstream's ValidateTokenRequest. */
export function validateTokenRequestSpec(spec: TokenRequestSpec): FieldError[] {
  const errs: FieldError[] = [];
  if (
    spec.audiences !== undefined &&
    !(Array.isArray(spec.audiences) && spec.audiences.every((a) => typeof a === 'string'))
  ) {
    errs.push(fieldErr.invalid('spec.audiences', spec.audiences, 'must be a list of strings'));
  }
  const exp = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) {
    return [fieldErr.invalid('spec.expirationSeconds', exp, 'must be an integer number of seconds')];
  }
  if (exp < MIN_EXPIRATION_SECONDS) {
    errs.push(
      fieldErr.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'),
    );
  }
  if (exp > MAX_EXPIRATION_SECONDS) {
    errs.push(
      fieldErr.invalid('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds'),
    );
  }
  return errs;
}

/** POST …/serviceaccounts/NAME/token: a TokenRequest answered with a signed bound token. */
export async function createToken(ctx: ApiContext, s: RequestScope, body: KubeObject): Promise<void> {
  const tokens = ctx.serviceAccountTokens;
  if (!tokens)
    throw new ApiError(503, 'ServiceUnavailable', 'this server has no service account signing key');
  if (body.kind !== undefined && body.kind !== 'TokenRequest') {
    throw badRequest(`the object provided is unrecognized (must be of type TokenRequest): kind ${body.kind}`);
  }
  const namespace = s.namespace ?? '';
  const saName = s.name!;
  const rawSpec = isPlainObject(body.spec) ? (body.spec as TokenRequestSpec) : {};
  const spec: TokenRequestSpec = {
    audiences:
      Array.isArray(rawSpec.audiences) && rawSpec.audiences.length > 0
        ? rawSpec.audiences
        : tokens.apiAudiences,
    expirationSeconds: rawSpec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS,
  };
  if (rawSpec.boundObjectRef) spec.boundObjectRef = rawSpec.boundObjectRef;
  const errs = validateTokenRequestSpec({ ...spec, audiences: rawSpec.audiences ?? spec.audiences });
  if (errs.length > 0) throw invalid('TokenRequest', 'authentication.k8s.io', saName, errs);
  await ctx.admission.restrictNode({
    user: s.user,
    operation: 'CREATE',
    group: '',
    resource: 'serviceaccounts',
    subresource: 'token',
    namespace,
    name: saName,
    object: { ...body, spec: rawSpec },
  });

  const get = (plural: string, ns: string | undefined, name: string): Promise<StoredObject | undefined> =>
    ctx.storage.get(ctx.registry.mustGet('', plural), ns, name);
  const sa = await get('serviceaccounts', namespace, saName);
  if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, saName);

  const issue: IssueRequest = {
    namespace,
    serviceAccount: { name: saName, uid: sa.metadata.uid },
    audiences: spec.audiences!,
    expirationSeconds: spec.expirationSeconds!,
  };
  const ref = spec.boundObjectRef;
  if (ref) await bindTo(ref, issue, saName, namespace, get);

  const { token, expiresAt } = await tokens.issue(issue);
  const out: KubeObject = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: saName, namespace, creationTimestamp: null },
    spec,
    status: { token, expirationTimestamp: rfc3339(expiresAt) },
  };
  s.out.json(201, out);
}

async function bindTo(
  ref: BoundObjectRef,
  issue: IssueRequest,
  saName: string,
  namespace: string,
  get: (plural: string, ns: string | undefined, name: string) => Promise<StoredObject | undefined>,
): Promise<void> {
  const apiVersion = ref.apiVersion ?? 'v1';
  const kind = ref.kind ?? '';
  const name = ref.name ?? '';
  if (apiVersion !== 'v1' || !['Pod', 'Secret', 'Node'].includes(kind)) {
    const gvk = apiVersion.includes('/') ? `${apiVersion}, Kind=${kind}` : `/${apiVersion}, Kind=${kind}`;
    throw badRequest(`cannot bind token for serviceaccount "${saName}" to object of type ${gvk}`);
  }
  const plural = kind === 'Pod' ? 'pods' : kind === 'Secret' ? 'secrets' : 'nodes';
  const obj = await get(plural, kind === 'Node' ? undefined : namespace, name);
  if (!obj) throw notFound({ group: '', resource: plural }, name);
  if (ref.uid && ref.uid !== obj.metadata.uid) {
    throw conflict(
      { group: '', resource: kind },
      name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  const bound = { name, uid: obj.metadata.uid };
  if (kind === 'Secret') issue.secret = bound;
  else if (kind === 'Node') issue.node = bound;
  else {
    const podSpec = (obj.spec ?? {}) as { serviceAccountName?: string; nodeName?: string };
    if ((podSpec.serviceAccountName || 'default') !== saName) {
      throw badRequest(
        `cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`,
      );
    }
    issue.pod = bound;
    if (podSpec.nodeName) {
      const node = await get('nodes', undefined, podSpec.nodeName);
      if (node) issue.node = { name: podSpec.nodeName, uid: node.metadata.uid };
    }
  }
}
