/** The X.509 keyUsage bits and extendedKeyUsage purposes of a request's `spec.usages` (upstream keyUsagesFromStrings). */

/** keyUsage bits, named as @peculiar/x509's KeyUsageFlags. */
export type KeyUsageBit =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: Record<string, KeyUsageBit> = {
  signing: 'digitalSignature',
  'digital signature': 'digitalSignature',
  'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment',
  'key agreement': 'keyAgreement',
  'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign',
  'crl sign': 'cRLSign',
  'encipher only': 'encipherOnly',
  'decipher only': 'decipherOnly',
};

/** Purposes in the order Go numbers them, which is the order a certificate lists them in. */
const EXTENDED_KEY_USAGES: [usages: string[], oid: string][] = [
  [['any'], '2.5.29.37.0'],
  [['server auth'], '1.3.6.1.5.5.7.3.1'],
  [['client auth'], '1.3.6.1.5.5.7.3.2'],
  [['code signing'], '1.3.6.1.5.5.7.3.3'],
  [['email protection', 's/mime'], '1.3.6.1.5.5.7.3.4'],
  [['ipsec end system'], '1.3.6.1.5.5.7.3.5'],
  [['ipsec tunnel'], '1.3.6.1.5.5.7.3.6'],
  [['ipsec user'], '1.3.6.1.5.5.7.3.7'],
  [['timestamping'], '1.3.6.1.5.5.7.3.8'],
  [['ocsp signing'], '1.3.6.1.5.5.7.3.9'],
  [['microsoft sgc'], '1.3.6.1.4.1.311.10.3.3'],
  [['netscape sgc'], '2.16.840.1.113730.4.1'],
];

export interface CertificateUsages {
  keyUsages: KeyUsageBit[];
  /** OIDs, each once. */
  extendedKeyUsages: string[];
}

/** Throws for a usage it does not know (the API server's validation lets none through). */
export function certificateUsages(usages: readonly string[]): CertificateUsages {
  const unrecognized = usages.filter(
    (u) => !(u in KEY_USAGE_BITS) && !EXTENDED_KEY_USAGES.some(([names]) => names.includes(u)),
  );
  if (unrecognized.length > 0) {
    throw new Error(`unrecognized usage values: ${unrecognized.map((u) => JSON.stringify(u)).join(' ')}`);
  }
  const keyUsages = [...new Set(usages.filter((u) => u in KEY_USAGE_BITS).map((u) => KEY_USAGE_BITS[u]!))];
  const extendedKeyUsages = EXTENDED_KEY_USAGES.filter(([names]) =>
    names.some((n) => usages.includes(n)),
  ).map(([, oid]) => oid);
  return { keyUsages, extendedKeyUsages };
}
