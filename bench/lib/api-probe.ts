import { performance } from 'node:perf_hooks';
import { R, type ApiClient } from '../../src/client/index.js';
import { Samples, summarize, type LatencySummary } from './stats.js';

/**
 * Measures what a user would see while the cluster is busy: a few clients in a loop, each creating and deleting
 * a ConfigMap (mutating) and reading a Node (read), with a pause between rounds so the probe itself is light.
 */
export class ApiProbe {
  private readonly mutating = new Samples();
  private readonly reads = new Samples();
  private running = false;
  private loops: Promise<void>[] = [];
  private errors = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly namespace: string,
  ) {}

  start(clients = 4, pauseMs = 50): void {
    this.running = true;
    const cms = this.client.resource(R.configMaps);
    const nodes = this.client.resource(R.nodes);
    this.loops = Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; this.running; i++) {
        const name = `probe-${c}-${i}`;
        try {
          let t = performance.now();
          await cms.create({ metadata: { name, namespace: this.namespace }, data: { i: String(i) } });
          this.mutating.push(performance.now() - t);
          t = performance.now();
          await nodes.list('', { limit: 1 });
          this.reads.push(performance.now() - t);
          t = performance.now();
          await cms.delete(this.namespace, name);
          this.mutating.push(performance.now() - t);
        } catch {
          this.errors++;
        }
        await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  }

  async stop(): Promise<{ mutating: LatencySummary; reads: LatencySummary; errors: number }> {
    this.running = false;
    await Promise.all(this.loops);
    return {
      mutating: summarize(this.mutating.values()),
      reads: summarize(this.reads.values()),
      errors: this.errors,
    };
  }
}
