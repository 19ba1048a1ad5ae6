import { runRuntimeContract } from '../contract.js';
import { ociTestEnv } from './testing-env.js';
import { BUSYBOX_IMAGE } from './testing.js';

const env = await ociTestEnv('c');
if (env.skip) console.log(`# oci runtime contract skipped: ${env.skip}`);
runRuntimeContract(`oci (${env.detection?.runtime?.name ?? 'none'})`, (dir) => env.make(dir), {
  ...(env.skip ? { skip: env.skip } : {}),
  image: BUSYBOX_IMAGE,
  enforcesMemoryLimit: true,
  leaks: (dir) => env.leaks(dir),
  ...(env.otherHandler ? { otherHandler: env.otherHandler } : {}),
  cleanup: () => env.cleanup(),
});
