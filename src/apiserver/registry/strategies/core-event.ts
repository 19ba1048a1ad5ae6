/** Event (core/v1): upstream's legacy event validation, which is all core/v1 applies. */
import { fieldErr, type FieldError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from '../types.js';
import { rec, str, validateQualifiedName } from './core-common.js';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

const atMost = (n: number): string => `can have at most ${n} characters`;

function validateEvent(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const involved = rec(obj.involvedObject) ?? {};
  const involvedNs = str(involved.namespace);
  const ns = obj.metadata?.namespace ?? '';
  const mismatch = (): FieldError =>
    fieldErr.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!obj.eventTime) {
    if (involvedNs === '') {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== involvedNs) {
      errs.push(mismatch());
    }
    return errs;
  }
  // "New" events (eventTime set) carry the series/reporting fields.
  if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
  const controller = str(obj.reportingComponent);
  if (controller === '') errs.push(fieldErr.required('reportingComponent'));
  errs.push(...validateQualifiedName(controller, 'reportingComponent'));
  const instance = str(obj.reportingInstance);
  if (instance === '') errs.push(fieldErr.required('reportingInstance'));
  if (instance.length > REPORTING_INSTANCE_LIMIT) {
    errs.push(fieldErr.invalid('reportingInstance', '', atMost(REPORTING_INSTANCE_LIMIT)));
  }
  const action = str(obj.action);
  if (action === '') errs.push(fieldErr.required('action'));
  if (action.length > ACTION_LIMIT) errs.push(fieldErr.invalid('action', '', atMost(ACTION_LIMIT)));
  const reason = str(obj.reason);
  if (reason === '') errs.push(fieldErr.required('reason'));
  if (reason.length > REASON_LIMIT) errs.push(fieldErr.invalid('reason', '', atMost(REASON_LIMIT)));
  if (str(obj.message).length > NOTE_LIMIT) errs.push(fieldErr.invalid('message', '', atMost(NOTE_LIMIT)));
  return errs;
}

export const eventStrategy: Strategy = {
  validate: validateEvent,
};
