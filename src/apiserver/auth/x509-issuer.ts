/** Entry of the short-lived process that issues certificates (see x509-process.ts). */
import { runX509Batch, type X509Batch } from './x509-batch.js';

process.once('message', (batch) => {
  runX509Batch(batch as X509Batch).then(
    (result) => process.send!(result, () => process.disconnect()),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
});
