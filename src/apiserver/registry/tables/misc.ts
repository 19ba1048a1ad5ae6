import type { TableConvertor } from '../types.js';
import { doc } from './docs.js';
import type { KubeObject } from '../../../api/meta.js';
import { age, ageColumn, arr, col, humanDuration, nameColumn, num, rec, str } from './format.js';

/** IntOrString as Go's IntOrString.String(). */
function intOrString(value: unknown): string {
  return String(value);
}

export const podDisruptionBudgetTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Min Available', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', 0, 'integer'),
    ageColumn,
  ],
  cells(pdb, now) {
    const spec = rec(pdb.spec);
    return [
      pdb.metadata?.name ?? '',
      spec.minAvailable !== undefined && spec.minAvailable !== null ? intOrString(spec.minAvailable) : 'N/A',
      spec.maxUnavailable !== undefined && spec.maxUnavailable !== null
        ? intOrString(spec.maxUnavailable)
        : 'N/A',
      num(rec(pdb.status).disruptionsAllowed),
      age(pdb, now),
    ];
  },
};

export const leaseTable: TableConvertor = {
  columns: [nameColumn, col('Holder', doc.leaseHolder), ageColumn],
  cells: (lease, now) => [lease.metadata?.name ?? '', str(rec(lease.spec).holderIdentity), age(lease, now)],
};

export const priorityClassTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Value', doc.pcValue, 0, 'integer'),
    col('Global-Default', doc.pcGlobal, 0, 'boolean'),
    ageColumn,
    col('PreemptionPolicy', doc.pcPreemption),
  ],
  cells: (pc, now) => [
    pc.metadata?.name ?? '',
    num(pc.value),
    pc.globalDefault === true,
    age(pc, now),
    str(pc.preemptionPolicy),
  ],
};

export const runtimeClassTable: TableConvertor = {
  columns: [nameColumn, col('Handler', doc.rcHandler), ageColumn],
  cells: (rc, now) => [rc.metadata?.name ?? '', str(rc.handler), age(rc, now)],
};

/** As upstream's printer: Denied, else Approved, else Pending; then Failed and Issued. */
function csrCondition(csr: KubeObject): string {
  const types = new Set(arr(rec(csr.status).conditions).map((c) => c.type));
  let condition = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) condition += ',Failed';
  if (str(rec(csr.status).certificate)) condition += ',Issued';
  return condition;
}

export const certificateSigningRequestTable: TableConvertor = {
  columns: [
    nameColumn,
    ageColumn,
    col('SignerName', 'Name of the signer requested to sign the certificate.'),
    col('Requestor', 'Name of the user who created the request.'),
    col('RequestedDuration', 'Validity of the certificate the requester asked for.'),
    col('Condition', 'Approval and issuance state of the request.'),
  ],
  cells(csr, now) {
    const spec = rec(csr.spec);
    const seconds = spec.expirationSeconds;
    return [
      csr.metadata?.name ?? '',
      age(csr, now),
      str(spec.signerName) || '<none>',
      str(spec.username),
      typeof seconds === 'number' ? humanDuration(seconds * 1000) : '<none>',
      csrCondition(csr),
    ];
  },
};
