/** Go's fmt renderings that upstream's validation messages embed. */

/** `%q` of a string: like strconv.Quote for the characters custom resources carry. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `%v` of a float64: shortest digits, exponent form when the exponent is < -4 or >= 21 in JS but >= 6 in Go. */
export function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(n);
  const sign = exp < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** `%v` of a JSON number as decoded by upstream: whole numbers are int64, the rest float64. */
export function goNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? String(n) : goFloat(n);
}

/** `%v` of a []interface{} of JSON values, used only inside messages that are never shown verbatim. */
export function goList(values: unknown[]): string {
  return `[${values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ')}]`;
}
