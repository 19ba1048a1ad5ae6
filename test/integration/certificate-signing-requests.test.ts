/**
 * CertificateSigningRequests through the API as upstream serves them: the requester recorded, the spec frozen,
 * approval and issuance through their own subresources, upstream's validation, and the admission checks on
 * approving (`approve` on the signer), signing (`sign`) and system:masters client certificates.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { createAuthenticator } from '../../src/apiserver/auth/index.js';
import { createCa, issueLeaf } from '../../src/apiserver/auth/x509.js';
import { waitFor } from '../../src/util/wait.js';
import { startTestServer, type TestServer } from '../helpers/api-server.js';
import { certificateRequest } from '../helpers/csr.js';
import { call } from '../helpers/http.js';

const TOKENS = [
  { token: 'admin-token', username: 'admin', uid: 'admin-uid', groups: ['system:masters'] },
  { token: 'bob-token', username: 'bob', uid: 'bob-uid', groups: ['dev'] },
];
const CSRS = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const rbac = '/apis/rbac.authorization.k8s.io/v1';

let srv: TestServer;
const as = (user: string, method: string, path: string, body?: unknown) =>
  call(srv.url, method, path, body, { authorization: `Bearer ${user}-token` });

/** A PKCS#10 request for `commonName` (in `organizations`), base64 as `spec.request` carries it. */
async function requestFor(commonName: string, organizations: string[] = []): Promise<string> {
  return Buffer.from((await certificateRequest({ commonName, organizations })).pem).toString('base64');
}

function csr(name: string, request: string, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request, signerName: 'example.com/signer', usages: ['client auth'], ...spec },
  };
}

type Csr = {
  metadata: { name: string; resourceVersion: string };
  spec: Record<string, unknown>;
  status?: { conditions?: Record<string, unknown>[]; certificate?: string };
};

async function create(user: string, body: Record<string, unknown>): Promise<Csr> {
  const r = await as(user, 'POST', CSRS, body);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json as Csr;
}

async function setConditions(user: string, obj: Csr, conditions: Record<string, unknown>[]) {
  return as(user, 'PUT', `${CSRS}/${obj.metadata.name}/approval`, {
    ...obj,
    status: { ...obj.status, conditions },
  });
}

const approved = { type: 'Approved', reason: 'Test', message: 'ok' };
const causes = (r: { json: unknown }) =>
  ((r.json as { details?: { causes?: { field: string; message: string }[] } }).details?.causes ?? []).map(
    (c) => `${c.field}: ${c.message}`,
  );

before(async () => {
  srv = await startTestServer({ authenticator: createAuthenticator({ tokens: TOKENS }) });
});
after(() => srv.close());

void describe('CertificateSigningRequest', () => {
  test('the requester is recorded, whatever the request says, and a request starts unapproved', async () => {
    const body = csr('who', await requestFor('jane'));
    (body.spec as Record<string, unknown>).username = 'someone-else';
    (body.spec as Record<string, unknown>).groups = ['system:masters'];
    body.status = { conditions: [{ type: 'Approved', status: 'True' }] };
    const made = await create('admin', body);
    assert.equal(made.spec.username, 'admin');
    assert.equal(made.spec.uid, 'admin-uid');
    assert.deepEqual(made.spec.groups, ['system:masters', 'system:authenticated']);
    assert.deepEqual(made.status, {});
  });

  test('upstream validation: the request, usages, signer name and duration', async () => {
    const good = await requestFor('jane');
    const cases: [Record<string, unknown>, string][] = [
      [
        { request: Buffer.from('not a pem').toString('base64') },
        'spec.request: Invalid value: "<certificate request>": PEM block type must be CERTIFICATE REQUEST',
      ],
      [{ usages: [] }, 'spec.usages: Required value'],
      [
        { usages: ['client auth', 'flying'] },
        'spec.usages[1]: Unsupported value: "flying": supported values: ',
      ],
      [{ usages: ['client auth', 'client auth'] }, 'spec.usages[1]: Duplicate value: "client auth"'],
      [{ signerName: '' }, 'spec.signerName: Required value'],
      [
        { signerName: 'signer' },
        `spec.signerName: Invalid value: "signer": must be a fully qualified domain and path of the form 'example.com/signer-name'`,
      ],
      [
        { signerName: 'example/signer' },
        'spec.signerName: Invalid value: "example": should be a domain with at least two segments separated by dots',
      ],
      [
        { signerName: 'kubernetes.io/legacy-unknown' },
        'spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
      ],
      [
        { expirationSeconds: 599 },
        'spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)',
      ],
    ];
    for (const [spec, message] of cases) {
      const r = await as('admin', 'POST', CSRS, csr('bad', good, spec));
      assert.equal(r.status, 422, JSON.stringify(spec));
      assert.ok(
        causes(r).some((c) => c.startsWith(message)),
        `${JSON.stringify(spec)}: ${causes(r).join('; ')}`,
      );
    }
    // A signature that does not match: the last byte of the DER (inside the ECDSA signature's s) changed.
    const der = x509.PemConverter.decodeFirst(Buffer.from(good, 'base64').toString());
    const bytes = Buffer.from(der);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x01, bytes.length - 1);
    const forged = x509.PemConverter.encode(bytes, 'CERTIFICATE REQUEST');
    const r = await as('admin', 'POST', CSRS, csr('forged', Buffer.from(forged).toString('base64')));
    assert.equal(r.status, 422);
    assert.deepEqual(causes(r), [
      'spec.request: Invalid value: "<certificate request>": x509: ECDSA verification failure',
    ]);
  });

  test('the spec never changes; approval goes through the approval subresource, with timestamps', async () => {
    const made = await create('admin', csr('approve-me', await requestFor('jane')));
    const put = await as('admin', 'PUT', `${CSRS}/approve-me`, {
      ...made,
      metadata: { ...made.metadata, labels: { team: 'a' } },
      spec: { ...made.spec, usages: ['server auth'] },
      status: { conditions: [{ type: 'Approved', status: 'True' }] },
    });
    assert.equal(put.status, 200);
    const updated = put.json as Csr;
    assert.deepEqual(updated.spec.usages, ['client auth'], 'spec kept');
    assert.deepEqual(updated.status, {}, 'approval is not set through the main resource');

    const r = await setConditions('admin', updated, [approved]);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const condition = (r.json as Csr).status!.conditions![0]!;
    assert.equal(condition.status, 'True', 'status defaults to True');
    assert.match(String(condition.lastUpdateTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(condition.lastTransitionTime, condition.lastUpdateTime);

    const both = await setConditions('admin', r.json as Csr, [approved, { type: 'Denied', status: 'True' }]);
    assert.equal(both.status, 422);
    assert.match(
      causes(both).join(';'),
      /status\.conditions\[1\]\.type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive/,
    );
    const removed = await setConditions('admin', r.json as Csr, []);
    assert.equal(removed.status, 422);
    assert.match(
      causes(removed).join(';'),
      /status\.conditions: Forbidden: updates may not remove a condition of type "Approved"/,
    );
    const fresh = await create('admin', csr('approve-false', await requestFor('jane')));
    const falseApproval = await setConditions('admin', fresh, [{ ...approved, status: 'False' }]);
    assert.equal(falseApproval.status, 422);
    assert.match(
      causes(falseApproval).join(';'),
      /status\.conditions\[0\]\.status: Unsupported value: "False"/,
    );
  });

  test('the certificate goes in through status, once, and must be one', async () => {
    const ca = await createCa('test-ca', 1);
    const leaf = await issueLeaf(ca, { commonName: 'jane', usage: 'client', days: 1 });
    const made = await create('admin', csr('issue-me', await requestFor('jane')));
    const approvedCsr = (await setConditions('admin', made, [approved])).json as Csr;
    const status = (certificate: string, conditions = approvedCsr.status!.conditions) =>
      as('admin', 'PUT', `${CSRS}/issue-me/status`, { ...approvedCsr, status: { conditions, certificate } });

    const garbage = await status(Buffer.from('not a certificate').toString('base64'));
    assert.equal(garbage.status, 422);
    assert.match(
      causes(garbage).join(';'),
      /status\.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block/,
    );
    // A status write cannot take the approval away (it is kept as it was).
    const issued = await status(Buffer.from(leaf.certPem).toString('base64'), []);
    assert.equal(issued.status, 200, JSON.stringify(issued.json));
    const stored = issued.json as Csr;
    assert.equal(Buffer.from(stored.status!.certificate!, 'base64').toString(), leaf.certPem);
    assert.deepEqual(
      stored.status!.conditions!.map((c) => c.type),
      ['Approved'],
    );
    const other = await issueLeaf(ca, { commonName: 'jane', usage: 'client', days: 1 });
    const again = await as('admin', 'PUT', `${CSRS}/issue-me/status`, {
      ...stored,
      status: { ...stored.status, certificate: Buffer.from(other.certPem).toString('base64') },
    });
    assert.equal(again.status, 422);
    assert.match(
      causes(again).join(';'),
      /status\.certificate: Forbidden: updates may not modify existing certificate content/,
    );
  });

  test('approving needs approve on the signer, issuing needs sign; a domain wildcard covers its signers', async () => {
    const grant = async (name: string, verbs: string[], resourceNames: string[]) => {
      const role = await as('admin', 'POST', `${rbac}/clusterroles`, {
        metadata: { name },
        rules: [
          {
            apiGroups: ['certificates.k8s.io'],
            resources: [
              'certificatesigningrequests',
              'certificatesigningrequests/approval',
              'certificatesigningrequests/status',
            ],
            verbs: ['create', 'get', 'update'],
          },
          ...(verbs.length
            ? [{ apiGroups: ['certificates.k8s.io'], resources: ['signers'], verbs, resourceNames }]
            : []),
        ],
      });
      assert.equal(role.status, 201, JSON.stringify(role.json));
      const binding = await as('admin', 'POST', `${rbac}/clusterrolebindings`, {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' }],
      });
      assert.equal(binding.status, 201);
    };
    await grant('csr-writer', [], []);
    await waitFor(async () => (await as('bob', 'GET', `${CSRS}/who`)).status === 200, { timeoutMs: 5000 });
    const made = await create('bob', csr('bobs', await requestFor('bob')));
    assert.equal(made.spec.username, 'bob');
    const refused = await setConditions('bob', made, [approved]);
    assert.equal(refused.status, 403);
    assert.equal(
      (refused.json as { message: string }).message,
      'certificatesigningrequests.certificates.k8s.io "bobs" is forbidden: user not permitted to approve requests with signerName "example.com/signer"',
    );
    await grant('csr-approver', ['approve'], ['example.com/*']);
    await waitFor(async () => (await setConditions('bob', made, [approved])).status === 200, {
      timeoutMs: 5000,
      message: 'approved with the wildcard grant',
    });
    const current = (await as('bob', 'GET', `${CSRS}/bobs`)).json as Csr;
    const ca = await createCa('test-ca', 1);
    const leaf = await issueLeaf(ca, { commonName: 'bob', usage: 'client', days: 1 });
    const sign = await as('bob', 'PUT', `${CSRS}/bobs/status`, {
      ...current,
      status: { ...current.status, certificate: Buffer.from(leaf.certPem).toString('base64') },
    });
    assert.equal(sign.status, 403);
    assert.match(
      (sign.json as { message: string }).message,
      /user not permitted to sign requests with signerName "example.com\/signer"/,
    );
  });

  test('no system:masters client certificates from the kube-apiserver-client signer', async () => {
    const r = await as(
      'admin',
      'POST',
      CSRS,
      csr('masters', await requestFor('root', ['system:masters']), {
        signerName: 'kubernetes.io/kube-apiserver-client',
      }),
    );
    assert.equal(r.status, 403);
    assert.equal(
      (r.json as { message: string }).message,
      'certificatesigningrequests.certificates.k8s.io "masters" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed',
    );
    // Another signer may (it decides for itself).
    await create('admin', csr('masters', await requestFor('root', ['system:masters'])));
  });

  test('listed with upstream columns and selected by signer name', async () => {
    const table = await call(
      srv.url,
      'GET',
      `${CSRS}?fieldSelector=spec.signerName%3Dexample.com%2Fsigner`,
      undefined,
      {
        authorization: 'Bearer admin-token',
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
      },
    );
    assert.equal(table.status, 200);
    const json = table.json as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    assert.deepEqual(
      json.columnDefinitions.map((c) => c.name),
      ['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition'],
    );
    const byName = new Map(json.rows.map((r) => [r.cells[0], r.cells]));
    assert.deepEqual(byName.get('issue-me')?.slice(2), [
      'example.com/signer',
      'admin',
      '<none>',
      'Approved,Issued',
    ]);
    assert.deepEqual(byName.get('who')?.slice(2), ['example.com/signer', 'admin', '<none>', 'Pending']);
  });
});
