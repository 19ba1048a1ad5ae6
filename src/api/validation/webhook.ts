/**
 * Where a webhook is reached (k8s.io/apiserver/pkg/util/webhook/validation.go): the `clientConfig.url` and
 * `clientConfig.service` checks shared by admission webhook configurations and CRD conversion webhooks.
 */
import { fieldErr, type FieldError } from '../errors.js';
import { isDNS1123Subdomain, isValidPortNum } from './names.js';

const URL_FORM = '; desired format: https://host[/path]';

/** The parts of Go's url.Parse the webhook checks read. */
export interface GoURL {
  scheme: string;
  host: string;
  /** The user info before `@`, when the URL has one. */
  user?: string;
  rawQuery: string;
  fragment: string;
}

/** The parts of Go's url.Parse the webhook checks read; a string naming the error where Go refuses it. */
export function parseGoURL(raw: string): GoURL | string {
  if ([...raw].some((c) => c < ' ' || c === '\x7f'))
    return `parse ${JSON.stringify(raw)}: net/url: invalid control character in URL`;
  const hash = raw.indexOf('#');
  const fragment = hash >= 0 ? raw.slice(hash + 1) : '';
  let rest = hash >= 0 ? raw.slice(0, hash) : raw;
  let scheme = '';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith(':')) return `parse ${JSON.stringify(raw)}: missing protocol scheme`;
  const q = rest.indexOf('?');
  const rawQuery = q >= 0 ? rest.slice(q + 1) : '';
  if (q >= 0) rest = rest.slice(0, q);
  let host = '';
  let user: string | undefined;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash >= 0 ? rest.slice(2, slash) : rest.slice(2);
    const at = authority.lastIndexOf('@');
    if (at >= 0) user = authority.slice(0, at);
    host = at >= 0 ? authority.slice(at + 1) : authority;
  }
  return { scheme, host, ...(user !== undefined ? { user } : {}), rawQuery, fragment };
}

/** webhook.ValidateWebhookURL with https required (forceHttps, as every caller upstream passes). */
export function validateWebhookURL(raw: string, path: string): FieldError[] {
  const u = parseGoURL(raw);
  if (typeof u === 'string') return [fieldErr.required(path, `url must be a valid URL: ${u}${URL_FORM}`)];
  const errs: FieldError[] = [];
  if (u.scheme !== 'https') {
    errs.push(fieldErr.invalid(path, u.scheme, `'https' is the only allowed URL scheme${URL_FORM}`));
  }
  if (u.host === '') errs.push(fieldErr.invalid(path, u.host, `host must be specified${URL_FORM}`));
  if (u.user !== undefined) {
    errs.push(fieldErr.invalid(path, u.user, 'user information is not permitted in the URL'));
  }
  if (u.fragment !== '')
    errs.push(fieldErr.invalid(path, u.fragment, 'fragments are not permitted in the URL'));
  if (u.rawQuery !== '') {
    errs.push(fieldErr.invalid(path, u.rawQuery, 'query parameters are not permitted in the URL'));
  }
  return errs;
}

/** webhook.ValidateWebhookService: `service` is the `clientConfig.service` object (port already defaulted). */
export function validateWebhookService(service: Record<string, unknown>, path: string): FieldError[] {
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const errs: FieldError[] = [];
  if (str(service.name) === '') errs.push(fieldErr.required(`${path}.name`, 'service name is required'));
  if (str(service.namespace) === '') {
    errs.push(fieldErr.required(`${path}.namespace`, 'service namespace is required'));
  }
  const port = typeof service.port === 'number' ? service.port : 0;
  const portErrs = isValidPortNum(port);
  if (portErrs.length > 0) {
    errs.push(fieldErr.invalid(`${path}.port`, port, `port is not valid: ${portErrs.join(', ')}`));
  }
  if (service.path === undefined || service.path === null) return errs;
  const urlPath = str(service.path);
  if (urlPath === '/' || urlPath === '') return errs;
  if (urlPath === '//')
    return [...errs, fieldErr.invalid(`${path}.path`, urlPath, 'segment[0] may not be empty')];
  if (!urlPath.startsWith('/')) errs.push(fieldErr.invalid(`${path}.path`, urlPath, "must start with a '/'"));
  let toCheck = urlPath.slice(1);
  if (toCheck.endsWith('/')) toCheck = toCheck.slice(0, -1);
  toCheck.split('/').forEach((step, i) => {
    if (step === '') {
      errs.push(fieldErr.invalid(`${path}.path`, urlPath, `segment[${i}] may not be empty`));
      return;
    }
    for (const msg of isDNS1123Subdomain(step)) {
      errs.push(fieldErr.invalid(`${path}.path`, urlPath, `segment[${i}]: ${msg}`));
    }
  });
  return errs;
}
