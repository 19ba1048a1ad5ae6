import { forkModule } from '../../util/module-process.js';
import type { X509Batch, X509BatchResult } from './x509-batch.js';

/**
 * Issues certificates in a short-lived child process. The X.509 library, its ASN.1 schemas and the memory of
 * key generation go away with that process. A worker thread would not do: the C heap its OpenSSL calls grow
 * stays with the server after the thread exits (≈ 8 MiB of resident memory after a first start).
 */
export function issueInChildProcess(batch: X509Batch): Promise<X509BatchResult> {
  const child = forkModule('./x509-issuer.js', import.meta.url, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: X509BatchResult | undefined;
    child.once('message', (m) => (result = m as X509BatchResult));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (result) resolve(result);
      else
        reject(
          new Error(`the certificate process exited (${signal ?? `code ${code}`}) without certificates`),
        );
    });
    child.send(batch);
  });
}
