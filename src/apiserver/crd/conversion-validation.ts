/**
 * spec.conversion validation (validateCustomResourceConversion). Paths are upstream's internal ones: a v1
 * `conversion.webhook.clientConfig` is reported as `spec.conversion.webhookClientConfig` and
 * `conversion.webhook.conversionReviewVersions` as `spec.conversion.conversionReviewVersions`.
 *
 * Webhook conversion is accepted and validated but not served: custom resources are only ever converted by
 * rewriting apiVersion (strategy None), so a CRD whose versions need a webhook serves them unconverted.
 */
import { fieldErr, type FieldError } from '../../api/errors.js';
import { isPlainObject } from '../../api/meta.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortNum } from '../../api/validation/names.js';
import { goStringSlice } from './go-print.js';

type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const present = (v: unknown): boolean => v !== undefined && v !== null;

const STRATEGIES = ['None', 'Webhook'];
/** ConversionReview versions this server understands. */
const REVIEW_VERSIONS = ['v1', 'v1beta1'];
const URL_FORM = '; desired format: https://host[/path]';

export function validateConversion(spec: Obj): FieldError[] {
  const conversion = rec(spec.conversion);
  if (!conversion) return [];
  const errs: FieldError[] = [];
  const strategy = str(conversion.strategy);
  if (strategy !== 'None' && spec.preserveUnknownFields === true) {
    errs.push(
      fieldErr.invalid(
        'spec.conversion.strategy',
        strategy,
        'must be None if spec.preserveUnknownFields is true',
      ),
    );
  }
  if (strategy === '') errs.push(fieldErr.required('spec.conversion.strategy'));
  else if (!STRATEGIES.includes(strategy)) {
    errs.push(fieldErr.notSupported('spec.conversion.strategy', strategy, STRATEGIES));
  }
  const webhook = rec(conversion.webhook);
  const clientConfig = rec(webhook?.clientConfig);
  const reviewVersions = webhook?.conversionReviewVersions;
  const ccPath = 'spec.conversion.webhookClientConfig';
  const reviewPath = 'spec.conversion.conversionReviewVersions';
  if (strategy !== 'Webhook') {
    const detail = 'should not be set when strategy is not set to Webhook';
    if (clientConfig) errs.push(fieldErr.forbidden(ccPath, detail));
    if (Array.isArray(reviewVersions) && reviewVersions.length > 0)
      errs.push(fieldErr.forbidden(reviewPath, detail));
    return errs;
  }
  if (!clientConfig) errs.push(fieldErr.required(ccPath, 'required when strategy is set to Webhook'));
  else if (present(clientConfig.url) === present(clientConfig.service)) {
    errs.push(fieldErr.required(ccPath, 'exactly one of url or service is required'));
  } else if (present(clientConfig.url))
    errs.push(...validateWebhookURL(str(clientConfig.url), `${ccPath}.url`));
  else errs.push(...validateWebhookService(rec(clientConfig.service) ?? {}, `${ccPath}.service`));
  errs.push(...validateReviewVersions(reviewVersions, reviewPath));
  return errs;
}

function validateReviewVersions(value: unknown, path: string): FieldError[] {
  const versions = Array.isArray(value) ? (value as unknown[]).map(str) : [];
  if (versions.length === 0) return [fieldErr.required(path)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(fieldErr.invalid(`${path}[${i}]`, v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const msg of isDNS1035Label(v)) errs.push(fieldErr.invalid(`${path}[${i}]`, v, msg));
  });
  if (!versions.some((v) => REVIEW_VERSIONS.includes(v))) {
    errs.push({
      type: 'FieldValueInvalid',
      field: path,
      message: `Invalid value: ${goStringSlice(versions)}: must include at least one of ${REVIEW_VERSIONS.join(', ')}`,
    });
  }
  return errs;
}

interface GoURL {
  scheme: string;
  host: string;
  user?: string;
  rawQuery: string;
  fragment: string;
}

/** The parts of Go's url.Parse the webhook checks read; a string naming the error where Go refuses it. */
function parseURL(raw: string): GoURL | string {
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

/** webhook.ValidateWebhookURL with https required. */
function validateWebhookURL(raw: string, path: string): FieldError[] {
  const u = parseURL(raw);
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

/** webhook.ValidateWebhookService. */
function validateWebhookService(service: Obj, path: string): FieldError[] {
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
  if (!present(service.path)) return errs;
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
