/**
 * Worker thread of WalCheckpointer: its own connection to the database, running a PASSIVE checkpoint (copy
 * WAL frames into the database file and sync it, never waiting for the writer) each time it is asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointResult {
  /** WAL frames, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
}

const port = parentPort;
if (!port) throw new Error('checkpoint-worker must run in a worker thread');
const db = new Database((workerData as { file: string }).file);
// Syncs the database file once a checkpoint has copied everything, before the WAL may be reused.
db.pragma('synchronous = NORMAL');
port.on('message', (msg: 'checkpoint' | 'stop') => {
  if (msg === 'stop') {
    db.close();
    port.close();
    return;
  }
  const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
  port.postMessage({ log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 } satisfies CheckpointResult);
});
