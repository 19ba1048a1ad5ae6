import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durabilityValue } from './durability-writer.js';
import { SqliteStore } from './sqlite-store.js';

const writer = fileURLToPath(new URL('./durability-writer.ts', import.meta.url));
/** The repository root, where `--import tsx` resolves. */
const root = fileURLToPath(new URL('../../../', import.meta.url));

void test('every acknowledged create survives SIGKILL of the writing process', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tugboat-durability-'));
  try {
    const file = path.join(dir, 'state.db');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: string[] = [];
    let partial = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      acked.push(...lines.filter((l) => l.length > 0));
      if (acked.length >= 1000 && !child.killed) child.kill('SIGKILL');
    });
    const signal = await exited;
    assert.equal(signal, 'SIGKILL', 'writer should have been killed, not exited on its own');
    assert.ok(acked.length >= 1000, `only ${acked.length} acknowledged writes`);

    const store = SqliteStore.open(file);
    try {
      for (const key of acked) {
        const kv = await store.get(key);
        assert.ok(kv, `acknowledged key ${key} is missing`);
        assert.deepEqual(kv.value, durabilityValue(key), `value of ${key} is damaged`);
      }
      const revisions = (await store.list('/durable/')).items.map((kv) => kv.modRevision);
      assert.equal(new Set(revisions).size, revisions.length);
      const created = await store.create('/durable/after-restart', Buffer.from('x'));
      assert.ok(created.modRevision > Math.max(...revisions));
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
