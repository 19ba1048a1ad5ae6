import type { KubeObject } from '../../api/meta.js';
import {
  buildTable,
  columnDefinitions,
  defaultTable,
  rowObject,
  type IncludeObject,
  type Table,
  type TableColumnDefinition,
} from '../registry/tables/index.js';
import type { ResourceDef } from '../registry/types.js';

export type { IncludeObject };

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** One Table row of an object (watch events carry one row each). */
export function tableRow(
  def: ResourceDef,
  obj: KubeObject,
  now: number,
  include: IncludeObject,
): Record<string, unknown> {
  const row: Record<string, unknown> = { cells: (def.table ?? defaultTable).cells(obj, now) };
  const o = rowObject(obj, include);
  if (o !== undefined) row.object = o;
  return row;
}

export function tableColumns(def: ResourceDef): TableColumnDefinition[] {
  return columnDefinitions((def.table ?? defaultTable).columns);
}

export function toTable(
  def: ResourceDef,
  objects: KubeObject[],
  now: number,
  include: IncludeObject,
  listMeta: Record<string, unknown>,
): Table {
  return buildTable(def.table ?? defaultTable, objects, { now, includeObject: include, metadata: listMeta });
}
