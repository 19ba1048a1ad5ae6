/**
 * metav1.Condition lists (`status.conditions` of kinds that use the standard condition type), as upstream's
 * k8s.io/apimachinery/pkg/apis/meta/v1/validation ValidateConditions.
 */
import { fieldErr, type FieldError } from '../errors.js';
import { isPlainObject } from '../meta.js';
import { isQualifiedName, regexError } from './names.js';

export const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
export const MAX_CONDITION_REASON_LENGTH = 1024;
export const MAX_CONDITION_MESSAGE_LENGTH = 32 * 1024;

const REASON_FMT = '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?';
const REASON_MSG =
  "a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'";
const reasonRe = new RegExp(`^${REASON_FMT}$`);

/** Go's zero time.Time, which metav1.Time serializes when unset. */
const ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

function isZeroTime(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return true;
  return Date.parse(value) === ZERO_TIME;
}

/** ValidateCondition: one condition at `path` (e.g. `status.conditions[0]`). */
export function validateCondition(condition: unknown, path: string): FieldError[] {
  const c = isPlainObject(condition) ? condition : {};
  const errs: FieldError[] = [];
  const type = str(c.type);
  for (const msg of isQualifiedName(type)) errs.push(fieldErr.invalid(`${path}.type`, type, msg));
  const status = str(c.status);
  if (!CONDITION_STATUSES.includes(status))
    errs.push(fieldErr.notSupported(`${path}.status`, status, CONDITION_STATUSES));
  if (typeof c.observedGeneration === 'number' && c.observedGeneration < 0) {
    errs.push(
      fieldErr.invalid(
        `${path}.observedGeneration`,
        c.observedGeneration,
        'must be greater than or equal to zero',
      ),
    );
  }
  if (isZeroTime(c.lastTransitionTime))
    errs.push(fieldErr.required(`${path}.lastTransitionTime`, 'must be set'));
  const reason = str(c.reason);
  if (reason === '') errs.push(fieldErr.required(`${path}.reason`, 'must be set'));
  else {
    if (!reasonRe.test(reason)) {
      errs.push(
        fieldErr.invalid(
          `${path}.reason`,
          reason,
          regexError(
            REASON_MSG,
            REASON_FMT,
            'my_name',
            'MY_NAME',
            'MyName',
            'ReasonA,ReasonB',
            'ReasonA:ReasonB',
          ),
        ),
      );
    }
    if (byteLength(reason) > MAX_CONDITION_REASON_LENGTH)
      errs.push(fieldErr.tooLong(`${path}.reason`, MAX_CONDITION_REASON_LENGTH));
  }
  if (byteLength(str(c.message)) > MAX_CONDITION_MESSAGE_LENGTH)
    errs.push(fieldErr.tooLong(`${path}.message`, MAX_CONDITION_MESSAGE_LENGTH));
  return errs;
}

/** ValidateConditions: each condition, and condition types unique. */
export function validateConditions(conditions: unknown, path: string): FieldError[] {
  if (!Array.isArray(conditions)) return [];
  const errs: FieldError[] = [];
  const types = new Set<string>();
  conditions.forEach((condition: unknown, i) => {
    const type = str(isPlainObject(condition) ? condition.type : undefined);
    if (types.has(type)) errs.push(fieldErr.duplicate(`${path}[${i}].type`, type));
    else types.add(type);
    errs.push(...validateCondition(condition, `${path}[${i}]`));
  });
  return errs;
}
