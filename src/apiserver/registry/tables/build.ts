import type { KubeObject, ListMeta } from '../../../api/meta.js';
import type { TableColumn, TableConvertor } from '../types.js';

/** `includeObject` query parameter of a Table request; kubectl never sends None and defaults to Metadata. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: KubeObject;
}

/** meta.k8s.io/v1 Table. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions?: TableColumnDefinition[];
  rows: TableRow[];
}

export interface TableOptions {
  now: number;
  includeObject?: IncludeObject;
  /** Leave out columnDefinitions: watch events after the first carry rows only. */
  noHeaders?: boolean;
  metadata?: ListMeta;
}

export function columnDefinitions(columns: TableColumn[]): TableColumnDefinition[] {
  return columns.map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ?? '',
    description: c.description,
    priority: c.priority,
  }));
}

/** What a row carries as `object`: kubectl reads NAMESPACE, labels and the kind prefix from it. */
export function rowObject(obj: KubeObject, include: IncludeObject): KubeObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

/** A Table with one row per object (a single GET is a one-row Table). */
export function buildTable(convertor: TableConvertor, objects: KubeObject[], opts: TableOptions): Table {
  const include = opts.includeObject ?? 'Metadata';
  const table: Table = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.metadata ?? {},
    rows: [],
  };
  if (!opts.noHeaders) table.columnDefinitions = columnDefinitions(convertor.columns);
  table.rows = objects.map((obj) => {
    const row: TableRow = { cells: convertor.cells(obj, opts.now) };
    const object = rowObject(obj, include);
    if (object) row.object = object;
    return row;
  });
  return table;
}
