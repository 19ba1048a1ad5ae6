import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hotSpots, type CpuProfile } from './cpu-profile.js';

const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber });

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '', -1) },
    { id: 2, callFrame: frame('(idle)', '', -1) },
    { id: 3, callFrame: frame('encode', 'file:///repo/dist/apiserver/http/respond.js', 18) },
    { id: 4, callFrame: frame('', 'file:///repo/dist/apiserver/http/respond.js', 40) },
    { id: 5, callFrame: frame('step', 'file:///repo/node_modules/better-sqlite3/lib/x.js', 3) },
  ],
  samples: [2, 3, 3, 4, 5, 2],
  timeDeltas: [5000, 1000, 2000, 500, 500, 9000],
};

describe('hotSpots', () => {
  test('self time per function, idle left out, busiest first', () => {
    const { busyMs, spots } = hotSpots(profile, { root: '/repo/' });
    assert.equal(busyMs, 4);
    assert.deepEqual(spots[0], {
      name: 'encode',
      where: 'dist/apiserver/http/respond.js:19',
      selfMs: 3,
      share: 0.75,
    });
    assert.equal(spots[1]?.name, '(anonymous)');
    assert.equal(spots[2]?.where, 'node_modules/better-sqlite3/lib/x.js:4');
    assert.equal(spots.length, 3);
  });

  test('by file sums the functions of one script', () => {
    const { spots } = hotSpots(profile, { root: '/repo/', byFile: true });
    assert.deepEqual(
      spots.map((s) => [s.where, s.selfMs]),
      [
        ['dist/apiserver/http/respond.js', 3.5],
        ['node_modules/better-sqlite3/lib/x.js', 0.5],
      ],
    );
  });

  test('top limits the list', () => {
    assert.equal(hotSpots(profile, { top: 1 }).spots.length, 1);
  });
});
