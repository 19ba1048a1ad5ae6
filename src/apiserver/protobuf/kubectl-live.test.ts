import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { decodeProtobufObject } from './index.js';
import { expectedJobFromCronJob, FULL_CRONJOB_PB } from './testing/canned.js';
import { startCaptureServer } from './testing/capture-server.js';

/** kubectl.1.32 from PATH, or beside a `kubectl` dispatcher on PATH. */
function findKubectl132(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const direct = join(dir, 'kubectl.1.32');
    if (existsSync(direct)) return direct;
    const dispatcher = join(dir, 'kubectl');
    if (!existsSync(dispatcher)) continue;
    try {
      const beside = join(dirname(resolve(dir, readlinkSync(dispatcher))), 'kubectl.1.32');
      if (existsSync(beside)) return beside;
    } catch {
      // not a symlink
    }
  }
  return undefined;
}

const kubectl = findKubectl132();

void test(
  'kubectl decodes our protobuf CronJob and sends back a Job we decode to the same pod spec',
  { skip: kubectl ? false : 'kubectl.1.32 not installed' },
  async () => {
    const { server, url, log } = await startCaptureServer();
    const home = mkdtempSync(join(tmpdir(), 'pb-live-'));
    try {
      const config = join(home, 'config');
      writeFileSync(
        config,
        `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${url}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    namespace: default\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`,
      );
      const env = { ...process.env, HOME: home, KUBECONFIG: config, KUBECACHEDIR: join(home, 'cache') };
      const args = ['create', 'job', 'live-1', `--from=cronjob/${FULL_CRONJOB_PB.metadata.name}`];
      await promisify(execFile)(kubectl ?? 'kubectl', args, { env });
      const post = log.find((r) => r.method === 'POST');
      assert.ok(post, 'kubectl sent no POST');
      assert.equal(post.contentType, 'application/vnd.kubernetes.protobuf');
      assert.deepStrictEqual(
        decodeProtobufObject(post.body),
        expectedJobFromCronJob(FULL_CRONJOB_PB, 'live-1'),
      );
    } finally {
      server.close();
      rmSync(home, { recursive: true, force: true });
    }
  },
);
