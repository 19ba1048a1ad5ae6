import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { runStoreContract } from '../contract.js';
import { SqliteStore } from './sqlite-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tugboat-sqlite-'));
let n = 0;
after(() => fs.rmSync(dir, { recursive: true, force: true }));

runStoreContract('sqlite', () => Promise.resolve(SqliteStore.open(path.join(dir, `db${n++}`, 'state.db'))));
