import { readFileSync } from 'node:fs';
import { packageFile } from '../util/package-root.js';
import type { Command } from './command.js';

/** The package version. */
export function tugboatVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the version',
  flags: [],
  run(_values, io) {
    io.stdout(`tugboat version v${tugboatVersion()}\nnode version ${process.version}\n`);
    return Promise.resolve(0);
  },
};
