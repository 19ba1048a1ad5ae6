/** IntOrString helpers (k8s.io/apimachinery/pkg/util/intstr): a JSON number or a string such as `25%`. */

export type IntOrString = number | string;

export function isIntOrString(v: unknown): v is IntOrString {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string';
}

/** The integer behind a plain string (`"8080"`), as IntOrString.IntValue(); 0 when not numeric. */
export function intValue(v: IntOrString): number {
  if (typeof v === 'number') return v;
  return /^[+-]?\d+$/.test(v) ? Number(v) : 0;
}

/** `"25%"` → 25; undefined for anything that is not an integer percentage. */
export function percentValue(v: IntOrString): number | undefined {
  if (typeof v !== 'string' || !/^[+-]?\d+%$/.test(v)) return undefined;
  return Number(v.slice(0, -1));
}

/**
 * An absolute count from an int or a percentage of `total` (GetScaledValueFromIntOrPercent):
 * percentages are rounded up or down as asked; plain strings that are not percentages are errors.
 */
export function scaledValueFromIntOrPercent(
  v: IntOrString | undefined | null,
  total: number,
  roundUp: boolean,
): number {
  if (v === undefined || v === null) throw new Error('nil value for IntOrString');
  if (typeof v === 'number') return v;
  if (!v.endsWith('%'))
    throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const pct = percentValue(v);
  if (pct === undefined) throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}`);
  const product = pct * total;
  return roundUp ? Math.ceil(product / 100) : Math.floor(product / 100);
}

/** Render as Go's IntOrString.String(): numbers and strings both bare. */
export function intOrStringText(v: IntOrString): string {
  return String(v);
}
