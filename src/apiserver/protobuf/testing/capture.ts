/**
 * Captures the protobuf bodies real kubectl sends and writes them as fixtures.
 * Usage: node --import tsx src/apiserver/protobuf/testing/capture.ts [kubectl binary] [fixture dir]
 * For generators that support it, the client-side dry-run JSON is saved too: it is an independent
 * rendering of the same object and is what the expected JSON is checked against.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { expectedJobFromCronJob, FULL_CRONJOB } from './canned.js';
import { startCaptureServer } from './capture-server.js';

const run = promisify(execFile);

export interface CaptureCase {
  name: string;
  args: string[];
  /** Whether `--dry-run=client -o json` renders the same object. */
  dryRun: boolean;
}

export const CASES: CaptureCase[] = [
  { name: 'namespace', args: ['create', 'namespace', 'team-a'], dryRun: true },
  {
    name: 'deployment',
    args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=3', '--port=80'],
    dryRun: true,
  },
  {
    name: 'deployment-zero-replicas',
    args: ['create', 'deployment', 'idle', '--image=nginx', '--replicas=0'],
    dryRun: true,
  },
  {
    name: 'configmap',
    args: ['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two'],
    dryRun: true,
  },
  {
    name: 'secret-generic',
    args: [
      'create',
      'secret',
      'generic',
      's1',
      '--from-literal=a=b',
      '--from-literal=pw=s3cr3t!',
      '--type=Opaque',
    ],
    dryRun: true,
  },
  {
    name: 'secret-tls',
    args: ['create', 'secret', 'tls', 'tls1', '--cert=@CERT', '--key=@KEY'],
    dryRun: true,
  },
  {
    name: 'secret-docker-registry',
    args: [
      'create',
      'secret',
      'docker-registry',
      'reg',
      '--docker-server=registry.example.com',
      '--docker-username=u',
      '--docker-password=p',
      '--docker-email=u@example.com',
    ],
    dryRun: true,
  },
  {
    name: 'service-clusterip',
    args: ['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080', '--tcp=443:https'],
    dryRun: true,
  },
  {
    name: 'service-headless',
    args: ['create', 'service', 'clusterip', 'hl', '--clusterip=None'],
    dryRun: true,
  },
  { name: 'job', args: ['create', 'job', 'j1', '--image=busybox', '--', 'echo', 'hi'], dryRun: true },
  { name: 'job-from-cronjob', args: ['create', 'job', 'manual-1', '--from=cronjob/nightly'], dryRun: false },
  { name: 'job-from-cronjob-full', args: ['create', 'job', 'full-1', '--from=cronjob/full'], dryRun: false },
  { name: 'serviceaccount', args: ['create', 'serviceaccount', 'sa1'], dryRun: true },
  {
    name: 'pdb',
    args: ['create', 'poddisruptionbudget', 'pdb1', '--selector=app=web', '--min-available=50%'],
    dryRun: true,
  },
  {
    name: 'pdb-max-unavailable-zero',
    args: ['create', 'pdb', 'pdb0', '--selector=app=web', '--max-unavailable=0'],
    dryRun: true,
  },
  {
    name: 'quota',
    args: ['create', 'quota', 'q1', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=BestEffort'],
    dryRun: true,
  },
  {
    name: 'role',
    args: [
      'create',
      'role',
      'r1',
      '--verb=get,list',
      '--resource=pods,deployments.apps',
      '--resource-name=a',
    ],
    dryRun: true,
  },
  {
    name: 'rolebinding',
    args: [
      'create',
      'rolebinding',
      'rb1',
      '--role=r1',
      '--user=alice',
      '--serviceaccount=default:sa1',
      '--group=devs',
    ],
    dryRun: true,
  },
  {
    name: 'clusterrole',
    args: ['create', 'clusterrole', 'cr1', '--verb=get', '--non-resource-url=/logs/*'],
    dryRun: true,
  },
  {
    name: 'clusterrole-aggregated',
    args: ['create', 'clusterrole', 'agg', '--aggregation-rule=rbac.example.com/aggregate-to-agg=true'],
    dryRun: true,
  },
  {
    name: 'clusterrole-resources',
    args: ['create', 'clusterrole', 'cr2', '--verb=get,watch', '--resource=nodes'],
    dryRun: true,
  },
  {
    name: 'clusterrolebinding',
    args: ['create', 'clusterrolebinding', 'crb1', '--clusterrole=cr1', '--user=bob'],
    dryRun: true,
  },
  {
    name: 'cronjob',
    args: [
      'create',
      'cronjob',
      'cj1',
      '--image=busybox',
      '--schedule=*/5 * * * *',
      '--restart=OnFailure',
      '--',
      'date',
    ],
    dryRun: true,
  },
  {
    name: 'ingress',
    args: [
      'create',
      'ingress',
      'ing1',
      '--class=nginx',
      '--rule=foo.com/bar*=svc1:8080,tls=my-cert',
      '--rule=/path=svc2:http',
      '--annotation=a=b',
      '--default-backend=def:80',
    ],
    dryRun: true,
  },
  {
    name: 'priorityclass',
    args: [
      'create',
      'priorityclass',
      'high',
      '--value=1000',
      '--description=important',
      '--preemption-policy=Never',
    ],
    dryRun: true,
  },
  {
    name: 'priorityclass-global-default',
    args: ['create', 'priorityclass', 'zero', '--value=0', '--global-default'],
    dryRun: true,
  },
  {
    name: 'autoscale',
    args: ['autoscale', 'deployment', 'web', '--min=2', '--max=10', '--cpu-percent=80'],
    dryRun: true,
  },
  { name: 'token', args: ['create', 'token', 'sa1', '--duration=1h', '--audience=api'], dryRun: false },
  {
    name: 'can-i',
    args: ['auth', 'can-i', 'create', 'deployments.apps', '--subresource=scale'],
    dryRun: false,
  },
  { name: 'can-i-nonresource', args: ['auth', 'can-i', 'get', '/logs'], dryRun: false },
  { name: 'can-i-list', args: ['auth', 'can-i', '--list', '--namespace=team-a'], dryRun: false },
  { name: 'whoami', args: ['auth', 'whoami'], dryRun: false },
];

/** `--dry-run=client -o json` goes before a `--` command separator. */
function dryRunArgs(args: string[]): string[] {
  const sep = args.indexOf('--');
  const head = sep < 0 ? args : args.slice(0, sep);
  const tail = sep < 0 ? [] : args.slice(sep);
  return [...head, '--dry-run=client', '-o', 'json', ...tail];
}

/** Go's JSON writes `null` for zero structs and `{}` for empty ones; protobuf carries neither. */
export function pruneEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneEmpty);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const p = pruneEmpty(x);
    if (p === null || (typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0)) continue;
    out[k] = p;
  }
  return out;
}

async function main(): Promise<void> {
  const kubectl = process.argv[2] ?? 'kubectl.1.32';
  const outDir = process.argv[3] ?? join('test', 'fixtures', 'protobuf');
  mkdirSync(outDir, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), 'pb-capture-'));
  const { server, url, log } = await startCaptureServer();
  const kubeconfig = join(home, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${url}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    namespace: default\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n`,
  );
  // secret tls checks that the pair is a real key pair
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=test',
    '-keyout',
    join(home, 'tls.key'),
    '-out',
    join(home, 'tls.crt'),
  ]);
  const env = { ...process.env, HOME: home, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(home, 'cache') };
  const exec = async (args: string[]): Promise<{ stdout: string; stderr: string; ok: boolean }> => {
    const full = args.map((a) =>
      a.replace('@CERT', join(home, 'tls.crt')).replace('@KEY', join(home, 'tls.key')),
    );
    try {
      const r = await run(kubectl, full, { env });
      return { ...r, ok: true };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', ok: false };
    }
  };
  try {
    for (const c of CASES) {
      log.length = 0;
      const r = await exec(c.args);
      const post = log.find((l) => l.method === 'POST');
      if (!post) {
        console.error(`${c.name}: no POST captured (${r.stderr.trim()})`);
        continue;
      }
      writeFileSync(join(outDir, `${c.name}.pb`), post.body);
      const request = {
        kubectl: basename(kubectl),
        args: c.args,
        method: post.method,
        url: post.url,
        contentType: post.contentType,
      };
      writeFileSync(join(outDir, `${c.name}.request.json`), JSON.stringify(request, null, 2) + '\n');
      if (c.name === 'job-from-cronjob-full') {
        writeFileSync(
          join(outDir, `${c.name}.expected.json`),
          JSON.stringify(expectedJobFromCronJob(FULL_CRONJOB, 'full-1'), null, 2) + '\n',
        );
      }
      if (c.dryRun) {
        const d = await exec(dryRunArgs(c.args));
        const expected = JSON.stringify(pruneEmpty(JSON.parse(d.stdout || 'null')), null, 2);
        if (d.ok) writeFileSync(join(outDir, `${c.name}.expected.json`), expected + '\n');
        else console.error(`${c.name}: dry-run failed: ${d.stderr.trim()}`);
      }
      console.log(
        `${c.name}: ${post.url} ${post.contentType} ${post.body.length}B ${r.ok ? 'ok' : r.stderr.trim()}`,
      );
    }
  } finally {
    server.close();
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
