import { readdir } from 'node:fs/promises';
import { runRuntimeContract } from '../contract.js';
import { pidsMentioning } from '../common/proc.js';
import { ProcessRuntime } from './runtime.js';

runRuntimeContract('process', (stateDir) => new ProcessRuntime({ stateDir }), {
  image: 'host',
  enforcesMemoryLimit: false,
  leaks: async (stateDir) => {
    const leaks = (await pidsMentioning(stateDir)).map((p) => `process ${p}`);
    for (const f of await readdir(`${stateDir}/c`).catch(() => [])) leaks.push(`container dir ${f}`);
    return leaks;
  },
});
