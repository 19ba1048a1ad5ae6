/** A CRD's additionalPrinterColumns: their validation and the columns a version is served with. */
import { fieldErr, type FieldError } from '../../api/errors.js';
import { isPlainObject } from '../../api/meta.js';
import { doc } from '../registry/tables/docs.js';

/** One entry of a CRD version's `additionalPrinterColumns` (apiextensions.k8s.io/v1). */
export interface PrinterColumn {
  name: string;
  /** integer, number, string, boolean or date. */
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

/** Served when a version declares no columns (upstream's serveDefaultColumnsIfEmpty). */
export const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  description: doc.creationTimestamp,
  jsonPath: '.metadata.creationTimestamp',
};

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Upstream's only check of a path (validateSimpleJSONPath): it starts with a dot. Whether it parses is not
 * validated: upstream then serves the columns before it (see customResourceTable).
 */
export function validateSimpleJsonPath(path: string, field: string): FieldError[] {
  if (path === '') return [fieldErr.invalid(field, path, 'must not be empty')];
  if (!path.startsWith('.'))
    return [fieldErr.invalid(field, path, 'must be a simple json path starting with .')];
  return [];
}

/**
 * ValidateCustomResourceColumnDefinition. `path` is the column's, e.g. `spec.additionalPrinterColumns[0]`;
 * the path field is reported as `JSONPath`, upstream's internal field name.
 */
export function validatePrinterColumn(column: unknown, path: string): FieldError[] {
  const col = isPlainObject(column) ? column : {};
  const errs: FieldError[] = [];
  if (str(col.name) === '') errs.push(fieldErr.required(`${path}.name`));
  const type = str(col.type);
  const typeDetail = `must be one of ${COLUMN_TYPES.join(',')}`;
  if (type === '') errs.push(fieldErr.required(`${path}.type`, typeDetail));
  else if (!COLUMN_TYPES.includes(type)) errs.push(fieldErr.invalid(`${path}.type`, type, typeDetail));
  const format = str(col.format);
  if (format !== '' && !COLUMN_FORMATS.includes(format)) {
    errs.push(fieldErr.invalid(`${path}.format`, format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  }
  const jsonPath = str(col.jsonPath);
  if (jsonPath === '') errs.push(fieldErr.required(`${path}.JSONPath`));
  else errs.push(...validateSimpleJsonPath(jsonPath, `${path}.JSONPath`));
  return errs;
}

/** The columns a CRD serves for one of its versions: its own, else Age (upstream's GetColumnsForVersion). */
export function columnsForVersion(crd: unknown, version: string): PrinterColumn[] {
  const spec = isPlainObject(crd) && isPlainObject(crd.spec) ? crd.spec : {};
  const versions = Array.isArray(spec.versions) ? (spec.versions as unknown[]) : [];
  const v = versions.find((x) => isPlainObject(x) && x.name === version);
  const cols =
    isPlainObject(v) && Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : [];
  return cols.length > 0 ? (cols as PrinterColumn[]) : [AGE_COLUMN];
}
