import { existsSync, readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A position in a script: URL, zero-based line and column, as V8's profiles give them. */
export interface ScriptPosition {
  url: string;
  line: number;
  column: number;
}

/**
 * Maps positions in the bundled build (dist/*.js) back to the sources, through the `.map` file esbuild writes
 * beside each output. Positions in scripts without a map come back unchanged.
 */
export class SourcePositions {
  private readonly maps = new Map<string, SourceMap | undefined>();

  original(pos: ScriptPosition): ScriptPosition {
    if (!pos.url.startsWith('file://') || pos.line < 0) return pos;
    const map = this.mapOf(pos.url);
    const entry = map?.findEntry(pos.line, Math.max(0, pos.column));
    if (!entry || !('originalSource' in entry)) return pos;
    const source = entry.originalSource.startsWith('file://')
      ? entry.originalSource
      : pathToFileURL(resolve(dirname(fileURLToPath(pos.url)), entry.originalSource)).href;
    return { url: source, line: entry.originalLine, column: entry.originalColumn };
  }

  private mapOf(url: string): SourceMap | undefined {
    if (this.maps.has(url)) return this.maps.get(url);
    const file = `${fileURLToPath(url)}.map`;
    let map: SourceMap | undefined;
    if (existsSync(file)) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as SourceMapPayload);
      } catch {
        map = undefined;
      }
    }
    this.maps.set(url, map);
    return map;
  }
}
