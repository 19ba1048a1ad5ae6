/**
 * resource.Quantity's canonical String(): values decoded from JSON print in canonical form
 * (`1000m` → `1`, `2048Ki` → `2Mi`, `0.5` → `500m`), rounded up to nano precision.
 */

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
const BINARY_SUFFIX: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXP = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_NAMES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Integer division rounding away from zero (upstream rounds up to the nano scale). */
function divCeil(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b === a ? q : a < 0n ? q - 1n : q + 1n;
}

function parse(
  input: string,
): { nanos: bigint; format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent' } | undefined {
  const m = /^([+-]?)(\d+\.?\d*|\.\d+)([a-zA-Z]*|[eE][+-]?\d+)$/.exec(input.trim());
  if (!m) return undefined;
  const [, sign = '', number = '', suffix = ''] = m;
  const [whole = '', frac = ''] = number.split('.');
  let mantissa = BigInt((whole || '0') + frac);
  if (sign === '-') mantissa = -mantissa;
  const scale = frac.length; // value = mantissa * 10^-scale
  let format: 'BinarySI' | 'DecimalSI' | 'DecimalExponent' = 'DecimalSI';
  let numerator = mantissa * pow10(9); // nanos * 10^scale
  if (suffix in BINARY_SUFFIX) {
    format = 'BinarySI';
    numerator *= 1024n ** BigInt(BINARY_SUFFIX[suffix] ?? 0);
  } else {
    let exp: number;
    if (suffix in DECIMAL_SUFFIX) exp = DECIMAL_SUFFIX[suffix] ?? 0;
    else if (/^[eE]/.test(suffix)) {
      exp = Number(suffix.slice(1));
      format = 'DecimalExponent';
    } else return undefined;
    if (exp >= 0) numerator *= pow10(exp);
    else return { nanos: divCeil(numerator, pow10(scale - exp)), format };
  }
  return { nanos: divCeil(numerator, pow10(scale)), format };
}

function decimal(nanos: bigint, exponentForm: boolean): string {
  if (nanos === 0n) return '0';
  let e = 18;
  while (e > -9 && nanos % pow10(e + 9) !== 0n) e -= 3;
  const value = nanos / pow10(e + 9);
  if (exponentForm) return e === 0 ? `${value}` : `${value}e${e}`;
  return `${value}${DECIMAL_BY_EXP.get(e) ?? ''}`;
}

export function canonicalQuantity(input: string): string | undefined {
  const q = parse(input);
  if (!q) return undefined;
  if (q.format === 'BinarySI') {
    const units = q.nanos / pow10(9);
    const exact = units * pow10(9) === q.nanos;
    if (!exact || (units > -1024n && units < 1024n)) return decimal(q.nanos, false);
    let n = 6;
    while (n > 0 && units % 1024n ** BigInt(n) !== 0n) n--;
    return `${units / 1024n ** BigInt(n)}${BINARY_NAMES[n]}`;
  }
  return decimal(q.nanos, q.format === 'DecimalExponent');
}
