/**
 * Messages whose JSON form is not an object of their fields: Time, Quantity, IntOrString, … .
 * Each entry converts the protobufjs plain object (longs as numbers, bytes as base64) to JSON and back.
 */
import { badRequest } from '../../api/errors.js';
import { isPlainObject } from '../../api/meta.js';

export interface SpecialCodec {
  toJson(value: Record<string, unknown>): unknown;
  fromJson(value: unknown): Record<string, unknown>;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** metav1.Time marshals with second precision; MicroTime with microseconds. */
function timeToJson(digits: 0 | 6) {
  return (v: Record<string, unknown>): string | null => {
    if (v.seconds === undefined && v.nanos === undefined) return null;
    const ms = num(v.seconds) * 1000;
    const iso = new Date(ms).toISOString().slice(0, 19);
    if (digits === 0) return `${iso}Z`;
    const micros = String(Math.floor(num(v.nanos) / 1000)).padStart(6, '0');
    return `${iso}.${micros}Z`;
  };
}

function timeFromJson(v: unknown): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  const s = str(v);
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw badRequest(`invalid time ${JSON.stringify(v)}`);
  const fraction = /\.(\d+)/.exec(s)?.[1] ?? '';
  const nanos = Number(fraction.padEnd(9, '0').slice(0, 9));
  return { seconds: Math.floor(ms / 1000), nanos };
}

const UNITS: [string, number][] = [
  ['h', 3600e9],
  ['m', 60e9],
  ['s', 1e9],
  ['ms', 1e6],
  ['us', 1e3],
  ['µs', 1e3],
  ['ns', 1],
];

/** Go's time.Duration.String(), e.g. 1h0m0s, 1.5s, 300ms. */
export function formatGoDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  let n = Math.abs(nanos);
  if (n < 1e9) {
    const [unit, size] = n < 1e3 ? ['ns', 1] : n < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(n / size)}${unit}`;
  }
  const h = Math.floor(n / 3600e9);
  n -= h * 3600e9;
  const m = Math.floor(n / 60e9);
  n -= m * 60e9;
  const s = trimFraction(n / 1e9);
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

function trimFraction(x: number): string {
  return String(Number(x.toFixed(9)));
}

export function parseGoDuration(s: string): number {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  const body = s.replace(/^[-+]/, '');
  let total = 0;
  let matched = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const unit = UNITS.find(([u]) => u === m?.[2]);
    total += Number(m[1]) * (unit?.[1] ?? 0);
    matched = re.lastIndex;
  }
  if (body === '0') return 0;
  if (matched !== body.length || matched === 0) throw badRequest(`invalid duration ${JSON.stringify(s)}`);
  return s.startsWith('-') ? -Math.round(total) : Math.round(total);
}

function parseJsonBytes(b64: unknown, what: string): unknown {
  const buf = Buffer.from(str(b64), 'base64');
  if (buf.length === 0) return null;
  try {
    return JSON.parse(buf.toString('utf8')) as unknown;
  } catch {
    throw badRequest(`${what} does not hold valid JSON`);
  }
}

function jsonBytes(v: unknown): Record<string, unknown> {
  return { raw: Buffer.from(JSON.stringify(v)) };
}

const extraValue: SpecialCodec = {
  toJson: (v) => (Array.isArray(v.items) ? v.items : []),
  fromJson: (v) => ({ items: Array.isArray(v) ? v : [] }),
};

export const SPECIAL: Record<string, SpecialCodec> = {
  'meta.Time': { toJson: timeToJson(0), fromJson: timeFromJson },
  'meta.MicroTime': { toJson: timeToJson(6), fromJson: timeFromJson },
  'meta.Duration': {
    toJson: (v) => formatGoDuration(num(v.duration)),
    fromJson: (v) => ({ duration: parseGoDuration(str(v)) }),
  },
  'meta.Quantity': {
    toJson: (v) => str(v.string),
    fromJson: (v) => ({ string: typeof v === 'number' ? String(v) : str(v) }),
  },
  'meta.IntOrString': {
    toJson: (v) => (num(v.type) === 1 ? str(v.strVal) : num(v.intVal)),
    fromJson: (v) => (typeof v === 'string' ? { type: 1, strVal: v } : { type: 0, intVal: num(v) }),
  },
  'meta.FieldsV1': {
    toJson: (v) => parseJsonBytes(v.Raw, 'fieldsV1'),
    fromJson: (v) => ({ Raw: Buffer.from(JSON.stringify(v)) }),
  },
  // RawExtension bytes may themselves be protobuf; the caller swaps in a decoder for that case.
  'meta.RawExtension': {
    toJson: (v) => parseJsonBytes(v.raw, 'raw extension'),
    fromJson: (v) => (isPlainObject(v) || Array.isArray(v) ? jsonBytes(v) : jsonBytes(v ?? null)),
  },
  'authorization.ExtraValue': extraValue,
  'authentication.ExtraValue': extraValue,
};
