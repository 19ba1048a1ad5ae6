/**
 * `npm run bench:ingress`: what the built-in ingress controller costs a request. wrk sends keep-alive GETs with
 * 16 and 64 connections straight to a backend, then through the ingress controller (the same backend behind a
 * Service, an EndpointSlice and an Ingress); the table gives throughput, latency and the CPU of the controller
 * and of the backend. The backends are Node HTTP servers in a network namespace this benchmark makes (the API
 * refuses loopback endpoints); the API server and the controller run in this process, which does nothing else
 * while wrk runs. Needs root, iproute2 and wrk; prints why and stops otherwise.
 */
import http from 'node:http';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { ApiClient, R } from '../src/client/index.js';
import { IngressController } from '../src/ingress/index.js';
import { createCa, issueLeaf } from '../src/apiserver/auth/x509.js';
import { silentLogger } from '../src/util/logger.js';
import { waitFor } from '../src/util/wait.js';
import { BACKEND_ADDRESS, BackendNetns, backendNetnsMissing } from '../test/helpers/backend-netns.js';
import { startTestServer } from '../test/helpers/api-server.js';
import { cpuSecondsOf } from './lib/proc.js';
import { fmtMs, fmtRate, markdownTable } from './lib/table.js';
import { parseWrkReport, wrkAvailability, wrkOutput } from './lib/wrk.js';

const HOST = 'bench.example.com';
const BACKEND_PORT = 18001;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface Row {
  path: string;
  clients: number;
  rate: number;
  p50: number;
  p99: number;
  errors: number;
  proxyCores: number;
  backendCores: number;
}

function wrk(url: string, clients: number): Promise<string> {
  return wrkOutput(['-t1', `-c${clients}`, `-d${SECONDS}s`, '--latency', '-H', `Host: ${HOST}`, url]);
}

/** The status of a GET with the benchmark's Host header (fetch may not set Host). */
function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { host: HOST }, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

async function measure(path: string, url: string, clients: number, backendPid: number): Promise<Row> {
  const cpu0 = process.cpuUsage();
  const backend0 = cpuSecondsOf(backendPid) ?? 0;
  const result = parseWrkReport(await wrk(url, clients), clients);
  const seconds = result.elapsedMs / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    path,
    clients,
    rate: result.opsPerSecond,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    proxyCores: path === 'direct' ? 0 : (cpu.user + cpu.system) / 1e6 / seconds,
    backendCores: ((cpuSecondsOf(backendPid) ?? 0) - backend0) / seconds,
  };
}

async function main(): Promise<void> {
  const missing = backendNetnsMissing() ?? (wrkAvailability().ok ? undefined : 'wrk is not installed');
  if (missing) {
    console.log(`bench:ingress skipped: ${missing}`);
    return;
  }
  const lab = new BackendNetns('bing');
  const server = await startTestServer();
  const client = new ApiClient({ server: server.url, userAgent: 'bench-ingress' });
  let controller: IngressController | undefined;
  try {
    await lab.start({ web: BACKEND_PORT }, BACKEND_PORT + 1);
    const nodes = client.resource<Node>(R.nodes);
    const node = await nodes.create({ metadata: { name: 'bench' } });
    await nodes.updateStatus({
      ...node,
      status: { addresses: [{ type: 'InternalIP', address: '192.0.2.1' }] },
    });
    await client.resource<Service>(R.services).create({
      metadata: { name: 'web', namespace: 'default' },
      spec: { ports: [{ name: 'http', port: 80, targetPort: BACKEND_PORT }] },
    });
    await client.resource<EndpointSlice>(R.endpointSlices).create({
      metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: BACKEND_PORT, protocol: 'TCP' }],
      endpoints: [{ addresses: [BACKEND_ADDRESS], conditions: { ready: true } }],
    });
    await client.resource<Ingress>(R.ingresses).create({
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        rules: [
          {
            host: HOST,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    const ca = await createCa('bench-ingress', 1);
    controller = new IngressController({
      client,
      nodeName: 'bench',
      httpPort: 0,
      bindAddress: '127.0.0.1',
      defaultCertificate: await issueLeaf(ca, { commonName: 'bench', usage: 'server', days: 1 }),
      logger: silentLogger,
    });
    await controller.start();
    const ingressUrl = `http://127.0.0.1:${controller.ports.http}/`;
    await waitFor(async () => (await statusOf(ingressUrl)) === 200, { message: 'the Ingress is served' });
    const backendPid = lab.pid!;
    const rows: Row[] = [];
    for (const clients of [16, 64]) {
      // Warm both paths up (JIT, connection pools) before measuring.
      await wrk(ingressUrl, clients);
      rows.push(await measure('direct', `http://${BACKEND_ADDRESS}:${BACKEND_PORT}/`, clients, backendPid));
      rows.push(await measure('ingress', ingressUrl, clients, backendPid));
    }
    console.log(
      `\nIngress controller, ${SECONDS} s per run, wrk -t1, keep-alive GET of a ~300-byte answer\n`,
    );
    console.log(
      markdownTable(
        [
          'path',
          'connections',
          'requests/s',
          'p50',
          'p99',
          'errors',
          'controller CPU (cores)',
          'backend CPU (cores)',
        ],
        rows.map((r) => [
          r.path,
          String(r.clients),
          fmtRate(r.rate),
          fmtMs(r.p50),
          fmtMs(r.p99),
          String(r.errors),
          r.path === 'direct' ? '-' : r.proxyCores.toFixed(2),
          r.backendCores.toFixed(2),
        ]),
      ),
    );
  } finally {
    await controller?.stop();
    client.close();
    await server.close();
    await lab.remove();
  }
}

await main();
