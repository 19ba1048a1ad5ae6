/** Prints the busiest functions and files of a V8 .cpuprofile: `node --import tsx bench/profile-summary.ts FILE [TOP]`. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hotSpots, type CpuProfile } from './lib/cpu-profile.js';
import { SourcePositions } from './lib/source-maps.js';
import { markdownTable } from './lib/table.js';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: bench/profile-summary.ts FILE.cpuprofile [TOP]');
  process.exit(2);
}
const root = fileURLToPath(new URL('../', import.meta.url));
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const top = Number(topArg ?? 25);
const sources = new SourcePositions();
for (const byFile of [false, true]) {
  const { busyMs, spots } = hotSpots(profile, { root, top, byFile, sources });
  console.log(`\n${byFile ? 'files' : 'functions'} (busy ${(busyMs / 1000).toFixed(1)} s)`);
  console.log(
    markdownTable(
      byFile ? ['self ms', 'share', 'file'] : ['self ms', 'share', 'function', 'where'],
      spots.map((s) => {
        const cells = [s.selfMs.toFixed(0), `${(s.share * 100).toFixed(1)}%`];
        return byFile ? [...cells, s.where] : [...cells, s.name, s.where];
      }),
    ),
  );
}
