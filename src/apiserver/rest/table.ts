import type { KubeObject } from '../../api/meta.js';
import type { ResourceDef, TableColumn, TableConvertor } from '../registry/types.js';

export const DEFAULT_TABLE: TableConvertor = {
  columns: [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description:
        'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
      priority: 0,
    },
    {
      name: 'Created At',
      type: 'date',
      description:
        'CreationTimestamp is a timestamp representing the server time when this object was created.',
      priority: 0,
    },
  ],
  cells: (obj) => [obj.metadata?.name ?? '', obj.metadata?.creationTimestamp ?? ''],
};

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function tableRow(
  def: ResourceDef,
  obj: KubeObject,
  now: number,
  include: IncludeObject,
): Record<string, unknown> {
  const convertor = def.table ?? DEFAULT_TABLE;
  const row: Record<string, unknown> = { cells: convertor.cells(obj, now) };
  const o = rowObject(obj, include);
  if (o !== undefined) row.object = o;
  return row;
}

export function tableColumns(def: ResourceDef): TableColumn[] {
  return (def.table ?? DEFAULT_TABLE).columns;
}

export function toTable(
  def: ResourceDef,
  objects: KubeObject[],
  now: number,
  include: IncludeObject,
  listMeta: Record<string, unknown>,
  withColumns = true,
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns ? tableColumns(def) : [],
    rows: objects.map((o) => tableRow(def, o, now, include)),
  };
}
