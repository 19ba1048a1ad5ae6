/**
 * The checks of `x-kubernetes-validations` rules when a CRD is written: their shape, and that each rule
 * parses as CEL (upstream also type-checks and costs them against the schema; not done here).
 */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import { celCompileError } from './cel-rules.js';
import type { ValidationRule } from './types.js';

const REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];
const hasNewlines = (s: string): boolean => /[\n\r]/.test(s);

export function validateRuleShapes(rules: ValidationRule[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((r, i) => {
    const at = (name: string): string => `${path}[${i}].${name}`;
    const rule = (r.rule ?? '').trim();
    const message = (r.message ?? '').trim();
    if (!rule) errs.push(fieldErr.required(at('rule'), 'rule is not specified'));
    else if (r.message && !message)
      errs.push(fieldErr.invalid(at('message'), r.message, 'message must be non-empty if specified'));
    else if (hasNewlines(message))
      errs.push(fieldErr.invalid(at('message'), r.message, 'message must not contain line breaks'));
    else if (hasNewlines(rule) && !message) {
      errs.push(fieldErr.required(at('message'), 'message must be specified if rule contains line breaks'));
    } else {
      const compileError = celCompileError(rule);
      if (compileError)
        errs.push(fieldErr.invalid(at('rule'), r.rule, `compilation failed: ${compileError}`));
    }
    if (r.messageExpression && !r.messageExpression.trim()) {
      errs.push(
        fieldErr.required(at('messageExpression'), 'messageExpression must be non-empty if specified'),
      );
    }
    if (r.reason !== undefined && !REASONS.includes(r.reason))
      errs.push(fieldErr.notSupported(at('reason'), r.reason, REASONS));
    const fp = r.fieldPath ?? '';
    if (fp && !fp.trim())
      errs.push(fieldErr.invalid(at('fieldPath'), fp, 'fieldPath must be non-empty if specified'));
    if (hasNewlines(fp))
      errs.push(fieldErr.invalid(at('fieldPath'), fp, 'fieldPath must not contain line breaks'));
  });
  return errs;
}
