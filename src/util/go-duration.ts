const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's time.ParseDuration (`1h30m`, `90s`, `1.5h`, `0`), in milliseconds; undefined when malformed. */
export function goDurationMs(s: string): number | undefined {
  if (/^[+-]?0$/.test(s)) return 0;
  const m = /^([+-]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+)$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const [, num, unit] of (m[2] ?? '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(num) * (UNIT_MS[unit ?? 's'] ?? 0);
  }
  return m[1] === '-' ? -total : total;
}
