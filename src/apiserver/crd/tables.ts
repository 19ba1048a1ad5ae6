/** Table output (`kubectl get`) of CustomResourceDefinitions and of custom resources. */
import type { KubeObject } from '../../api/meta.js';
import { createdAtColumn, humanDuration, nameColumn } from '../registry/tables/format.js';
import type { TableColumn, TableConvertor } from '../registry/types.js';
import { goPrint } from './go-print.js';
import { compileJsonPath, type JsonPath } from './jsonpath.js';
import { AGE_COLUMN, type PrinterColumn } from './printer-columns.js';

/** The zero metav1.Time, as Go formats it. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** CRDs print as upstream's default convertor does: Name and the creation time (RFC 3339, UTC, seconds). */
export const crdTable: TableConvertor = {
  columns: [nameColumn, createdAtColumn],
  cells: (obj) => [obj.metadata?.name ?? '', createdAt(obj.metadata?.creationTimestamp)],
};

function createdAt(timestamp: unknown): string {
  const ms = typeof timestamp === 'string' ? parseRFC3339(timestamp) : undefined;
  if (ms === undefined) return ZERO_TIME;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

interface CompiledColumn {
  type: string;
  path: JsonPath;
}

/**
 * A custom resource's table, as upstream's tableconvertor: Name, then each printer column (Age when there are
 * none). A column whose path does not parse ends the list there, as upstream falls back to the columns built
 * before it. Cells take the path's first result only; a missing value is a null cell.
 */
export function customResourceTable(columns: readonly PrinterColumn[]): TableConvertor {
  const headers: TableColumn[] = [nameColumn];
  const compiled: CompiledColumn[] = [];
  for (const col of columns.length > 0 ? columns : [AGE_COLUMN]) {
    let path: JsonPath;
    try {
      path = compileJsonPath(`{${col.jsonPath}}`);
    } catch {
      break;
    }
    compiled.push({ type: col.type, path });
    const header: TableColumn = {
      name: col.name,
      type: col.type as TableColumn['type'],
      description:
        col.description || `Custom resource definition column (in JSONPath format): ${col.jsonPath}`,
      priority: col.priority ?? 0,
    };
    if (col.format) header.format = col.format;
    headers.push(header);
  }
  return {
    columns: headers,
    cells: (obj: KubeObject, now: number) => [
      obj.metadata?.name ?? '',
      ...compiled.map((c) => cell(c, obj, now)),
    ],
  };
}

function cell(col: CompiledColumn, obj: KubeObject, now: number): unknown {
  let value: unknown;
  try {
    const results = col.path.find(obj)[0];
    if (!results || results.length === 0) return null;
    value = results[0];
  } catch {
    return null;
  }
  if (col.type === 'string') return goPrint(value);
  return typedCell(col.type, value, now);
}

/** cellForJSONValue: the value when it fits the column's type, else null; dates become ages. */
function typedCell(type: string, value: unknown, now: number): unknown {
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      if (value === '' || value === 'null') return '<unknown>';
      const ms = parseRFC3339(value);
      if (ms === undefined) return '<invalid>';
      return ms === ZERO_MS ? '<unknown>' : humanDuration(now - ms);
    }
    default:
      return null;
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}

const ZERO_MS = utc(1, 1, 1);

/** Go's time.Parse(time.RFC3339, …) in ms since the epoch; undefined where Go refuses the text. */
export function parseRFC3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(utc(y, mo + 1, 1) - 86_400_000).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) return undefined;
  let ms = utc(y, mo, d, h, mi, s) + Math.floor(Number(`0${m[7] ?? ''}`) * 1000);
  if (m[8]) {
    const offset = (Number(m[9]) * 60 + Number(m[10])) * 60_000;
    if (Number(m[9]) > 23 || Number(m[10]) > 59) return undefined;
    ms -= m[8] === '+' ? offset : -offset;
  }
  return ms;
}
