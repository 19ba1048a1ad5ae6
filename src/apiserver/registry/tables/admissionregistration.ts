import type { TableConvertor } from '../types.js';
import { age, ageColumn, arr, col, nameColumn } from './format.js';

/** Validating and mutating webhook configurations: how many webhooks each holds. */
export const webhookConfigurationTable: TableConvertor = {
  columns: [
    nameColumn,
    col(
      'Webhooks',
      'Webhooks indicates the number of webhooks registered in this configuration',
      0,
      'integer',
    ),
    ageColumn,
  ],
  cells: (config, now) => [config.metadata?.name ?? '', arr(config.webhooks).length, age(config, now)],
};
