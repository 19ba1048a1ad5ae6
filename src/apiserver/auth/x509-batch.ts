import { createCa, issueLeaf, type CertAndKey, type LeafSpec } from './x509.js';

/** Certificates to issue in one go: the CA to sign with (or the one to create first), then the leaves. */
export interface X509Batch {
  ca: CertAndKey | { create: { commonName: string; days: number } };
  leaves: LeafSpec[];
}

export interface X509BatchResult {
  ca: CertAndKey;
  /** In the order of the batch's leaves. */
  leaves: CertAndKey[];
}

export async function runX509Batch(batch: X509Batch): Promise<X509BatchResult> {
  const ca =
    'create' in batch.ca ? await createCa(batch.ca.create.commonName, batch.ca.create.days) : batch.ca;
  const leaves: CertAndKey[] = [];
  for (const spec of batch.leaves) leaves.push(await issueLeaf(ca, spec));
  return { ca, leaves };
}
