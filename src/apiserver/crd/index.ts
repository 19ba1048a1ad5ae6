/** CustomResourceDefinitions: the CRD kind's own strategy and the table output of CRDs and custom resources. */
export { createCrdStrategy, crdStrategy, type CrdStrategyOptions } from './strategy.js';
export { defaultCrd, prepareCrdForCreate, prepareCrdForUpdate, storageVersion } from './crd-defaults.js';
export {
  validateCrd,
  validateCrdUpdate,
  type CrdValidationOptions,
  type SchemaValidator,
} from './crd-validation.js';
export { crdTable, customResourceTable } from './tables.js';
export {
  AGE_COLUMN,
  columnsForVersion,
  validatePrinterColumn,
  type PrinterColumn,
} from './printer-columns.js';
export { compileJsonPath, type JsonPath } from './jsonpath.js';
