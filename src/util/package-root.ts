import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The directory of Tugboat's package.json. Found by walking up from this module, which sits at different depths
 * when run from the sources (src/util/) and from the bundled build (dist/).
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return (root = dir);
}

/** A file of the package, given relative to its root. */
export function packageFile(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}
