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
import { isDNS1035Label } from '../../api/validation/names.js';
import { validateWebhookService, validateWebhookURL } from '../../api/validation/webhook.js';
import { goStringSlice } from './go-print.js';

type Obj = Record<string, unknown>;

const rec = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const present = (v: unknown): boolean => v !== undefined && v !== null;

const STRATEGIES = ['None', 'Webhook'];
/** ConversionReview versions this server understands. */
const REVIEW_VERSIONS = ['v1', 'v1beta1'];

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
