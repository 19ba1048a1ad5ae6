/**
 * Child process for durability.test.ts: opens the store at argv[2] and creates keys forever, several in
 * flight, printing each key once its create is acknowledged. The test kills it with SIGKILL.
 */
import { SqliteStore } from './sqlite-store.js';

export function durabilityValue(key: string): Buffer {
  return Buffer.from(JSON.stringify({ key, pad: key.repeat(20) }));
}

async function main(file: string): Promise<void> {
  const store = SqliteStore.open(file);
  let next = 0;
  const writer = async (): Promise<void> => {
    for (;;) {
      const key = `/durable/${String(next++).padStart(8, '0')}`;
      await store.create(key, durabilityValue(key));
      process.stdout.write(key + '\n');
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer));
}

const file = process.argv[2];
if (file) await main(file);
