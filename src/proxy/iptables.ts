/** The iptables commands the proxy runs, through a CommandRunner. */
import { runChecked, type CommandRunner } from './command-runner.js';
import { parseSave, type SavedTable } from './saved-table.js';

export type Table = 'nat' | 'filter';

/** `iptables --version` (e.g. "v1.8.9 (nf_tables)") → [1, 8, 9]; undefined when it does not parse. */
export function parseVersion(text: string): number[] | undefined {
  const m = /v(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** MASQUERADE --random-fully arrived in iptables 1.6.2. */
export function supportsRandomFully(version: number[]): boolean {
  const [a = 0, b = 0, c = 0] = version;
  return a > 1 || (a === 1 && (b > 6 || (b === 6 && c >= 2)));
}

export class Iptables {
  constructor(private readonly runner: CommandRunner) {}

  async version(): Promise<number[]> {
    const text = await runChecked(this.runner, ['iptables', '--version']);
    const version = parseVersion(text);
    if (!version) throw new Error(`cannot read the iptables version from ${JSON.stringify(text.trim())}`);
    return version;
  }

  async save(table: Table): Promise<SavedTable> {
    return parseSave(await runChecked(this.runner, ['iptables-save', '-t', table]));
  }

  /** Applies restore input to the table without flushing chains it does not declare. */
  async restore(text: string): Promise<void> {
    await runChecked(this.runner, ['iptables-restore', '--noflush', '-w', '5'], text);
  }
}
