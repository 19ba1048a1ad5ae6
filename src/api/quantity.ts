/**
 * Resource quantities as k8s.io/apimachinery/pkg/api/resource: `100m`, `1.5`, `2Gi`, `1e3`, `500Mi`.
 * Values are kept exactly as a bigint count of nano-units (1e-9), rounded up as upstream does, so
 * arithmetic and comparison never go through floats.
 */
import { badRequest } from './errors.js';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 1e-9 (so `1` is 1_000_000_000n). */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

const NANO = 1_000_000_000n;

const DECIMAL_SUFFIX: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_BY_EXP = new Map(Object.entries(BINARY_SUFFIX).map(([s, e]) => [e, s]));

const NUMBER_RE = /^([+-]?)(\d*)(?:\.(\d*))?/;

class QuantityError extends Error {}

/** Ceiling division for a positive divisor. */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

function parse(input: string): Quantity {
  const s = input;
  if (s.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const m = NUMBER_RE.exec(s);
  const whole = m?.[2] ?? '';
  const frac = m?.[3] ?? '';
  if (!m || (whole === '' && frac === '')) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const negative = m[1] === '-';
  const suffix = s.slice(m[0].length);

  // value = digits * 10^(exp10 - frac.length) * 2^exp2
  let exp10 = 0;
  let exp2 = 0;
  let format: QuantityFormat;
  if (suffix in DECIMAL_SUFFIX) {
    exp10 = DECIMAL_SUFFIX[suffix] ?? 0;
    format = 'DecimalSI';
  } else if (suffix in BINARY_SUFFIX) {
    exp2 = BINARY_SUFFIX[suffix] ?? 0;
    format = 'BinarySI';
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    exp10 = Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else if (/^[eEinumkKMGTP]*[-+]?\d*$/.test(suffix)) {
    throw new QuantityError(QUANTITY_SUFFIX_ERROR);
  } else {
    throw new QuantityError(QUANTITY_FORMAT_ERROR);
  }
  let num = BigInt((whole || '0') + frac) * (1n << BigInt(exp2));
  const scale = exp10 - frac.length + 9;
  if (scale >= 0) num *= 10n ** BigInt(scale);
  else num = ceilDiv(num, 10n ** BigInt(-scale));
  if (negative) num = -num;
  return { nanos: num === 0n ? 0n : num, format };
}

/** Parse a quantity (a string, or a JSON number as clients may send). Throws ApiError 400 when malformed. */
export function parseQuantity(value: string | number): Quantity {
  try {
    return parse(typeof value === 'number' ? numberText(value) : value.trim());
  } catch (err) {
    if (err instanceof QuantityError) throw badRequest(err.message);
    throw err;
  }
}

/** Like parseQuantity, but returns the upstream error text instead of throwing. */
export function tryParseQuantity(value: unknown): { quantity: Quantity } | { error: string } {
  if (typeof value !== 'string' && typeof value !== 'number') return { error: QUANTITY_FORMAT_ERROR };
  try {
    return { quantity: parse(typeof value === 'number' ? numberText(value) : value.trim()) };
  } catch (err) {
    if (err instanceof QuantityError) return { error: err.message };
    throw err;
  }
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return String(n).replace('e+', 'e');
}

export function quantityFromNanos(nanos: bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos, format };
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** a + b in a's format, or b's when a is zero (Go's Quantity.Add: `0` plus `128Mi` is `128Mi`). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** a - b in a's format, or b's when a is zero (Go's Quantity.Sub). */
export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** The value as a float (may lose precision for huge values). */
export function quantityToNumber(q: Quantity): number {
  const whole = q.nanos / NANO;
  const rest = q.nanos % NANO;
  return Number(whole) + Number(rest) / 1e9;
}

/** Whole units, rounded up (Quantity.Value()). */
export function quantityValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, NANO);
}

/** Thousandths, rounded up (Quantity.MilliValue()), e.g. CPU millicores. */
export function quantityMilliValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, 1_000_000n);
}

/** Strip factors of `base` from a non-zero integer, counting them. */
function removeFactors(v: bigint, base: bigint): [bigint, number] {
  let n = 0;
  while (v !== 0n && v % base === 0n) {
    v /= base;
    n++;
  }
  return [v, n];
}

/** Canonical text as upstream's Quantity.String(): `1000m` → `1`, `1024Mi` → `1Gi`, `1.5Gi` → `1536Mi`. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const abs = q.nanos < 0n ? -q.nanos : q.nanos;
    // Small or fractional binary values are shown as decimal to avoid rounding.
    if (abs < 1024n * NANO || abs % NANO !== 0n) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    const [mantissa, times] = removeFactors(q.nanos / NANO, 1024n);
    // Not a whole number of Ki: plain units, as upstream's binary suffix for exponent 0 is empty.
    if (times === 0) return String(mantissa);
    const suffix = BINARY_BY_EXP.get(times * 10);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
    return `${mantissa * 1024n ** BigInt(times - 6)}Ei`;
  }
  const [stripped, times] = removeFactors(q.nanos, 10n);
  let mantissa = stripped;
  let exponent = times - 9;
  const r = ((exponent % 3) + 3) % 3;
  if (r !== 0) {
    mantissa *= 10n ** BigInt(r);
    exponent -= r;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = DECIMAL_BY_EXP.get(exponent);
  if (suffix !== undefined) return `${mantissa}${suffix}`;
  return `${mantissa}e${exponent}`;
}

/** Parse and re-render in canonical form. Throws ApiError 400 when malformed. */
export function canonicalQuantity(value: string | number): string {
  return formatQuantity(parseQuantity(value));
}
