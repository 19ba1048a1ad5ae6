/**
 * How upstream prints unstructured values where users see them: jsonpath's PrintResults (fmt.Fprint for
 * scalars, encoding/json for maps and lists) and Go's %#v in field errors.
 */
import type { FieldError } from '../../api/errors.js';
import { isPlainObject } from '../../api/meta.js';
import { GoFloat } from './jsonpath.js';

/** One value as jsonpath prints it: strings raw, lists and maps as compact JSON, null as `<no value>`. */
export function goPrint(value: unknown): string {
  if (value === null || value === undefined) return '<no value>';
  if (value instanceof GoFloat) return goFloat(value.value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return goNumber(value);
  return goJSON(value);
}

/** An unstructured number: int64 when integral (as JSON decodes into unstructured), else float64's %v. */
export function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  return goFloat(n);
}

/** fmt's %v of a float64: shortest digits, exponent form below 1e-4 and from 1e6 (`1.5e+06`). */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const [mantissa = '', exp = '0'] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/** encoding/json's Marshal: sorted map keys and HTML-safe escapes. */
export function goJSON(value: unknown): string {
  return JSON.stringify(sortKeys(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof GoFloat) return value.value;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
  return out;
}

/** Go's %#v of a string ("quoted", escapes as JSON's, close to strconv.Quote). */
export function goQuote(s: unknown): string {
  return JSON.stringify(typeof s === 'string' ? s : '');
}

/** %#v of a []string: `[]string{"a", "b"}`, `[]string{}` when empty, `[]string(nil)` when absent. */
export function goStringSlice(values: unknown): string {
  if (!Array.isArray(values)) return '[]string(nil)';
  return `[]string{${(values as unknown[]).map(goQuote).join(', ')}}`;
}

/** %#v of a pointer: upstream prints an address, rendered here as a fixed placeholder. */
export function goPointer(type: string, value: unknown): string {
  return `(*${type})(${value === null || value === undefined ? 'nil' : '0xc000000000'})`;
}

/** An Invalid field error whose value is already rendered in Go syntax (slices, structs). */
export function goInvalid(field: string, rendered: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${rendered}: ${detail}` };
}
