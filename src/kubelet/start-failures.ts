/** Why each container could not start in its pod's last sync (upstream reasonCache), by pod uid. */
import type { StartFailure } from './container-statuses.js';

export class StartFailures {
  private readonly byPod = new Map<string, Map<string, StartFailure>>();

  set(uid: string, container: string, f: StartFailure): void {
    let m = this.byPod.get(uid);
    if (!m) this.byPod.set(uid, (m = new Map()));
    m.set(container, f);
  }

  clear(uid: string, container: string): void {
    this.byPod.get(uid)?.delete(container);
  }

  get(uid: string, container: string): StartFailure | undefined {
    return this.byPod.get(uid)?.get(container);
  }

  forget(uid: string): void {
    this.byPod.delete(uid);
  }
}
