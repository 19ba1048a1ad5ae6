/** ControllerRevision (apps/v1): immutable data, non-negative revision, no status. */
import { fieldErr } from '../../../api/errors.js';
import { validateImmutableField } from '../../../api/validation/object-meta.js';
import type { Strategy } from '../types.js';
import { makeStrategy } from './common.js';
import { nonNegative } from './util.js';

export const controllerRevisionStrategy: Strategy = makeStrategy(
  {},
  {
    validateSpec(o) {
      const errs =
        o.data === undefined || o.data === null ? [fieldErr.required('data', 'data is mandatory')] : [];
      return [...errs, ...nonNegative(o.revision, 'revision')];
    },
    validateSpecUpdate: (o, old) => validateImmutableField(o.data, old.data, 'data'),
  },
);
