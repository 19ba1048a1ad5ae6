import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readIfExists, writeFileAtomic } from './files.js';
import { ADMIN_GROUP, ADMIN_USER } from './users.js';

/** One line of a static token file: `token,user,uid[,"group1,group2"]`. */
export interface TokenEntry {
  token: string;
  username: string;
  uid: string;
  groups: string[];
}

/**
 * Parse a token file in the format of kube-apiserver's --token-auth-file (a CSV file as Go's encoding/csv reads
 * it: quoted fields may hold commas, `""` is a quote, blank lines are skipped). Lines with an empty token are
 * ignored; a later duplicate token wins.
 */
export function parseTokenFile(text: string, path = 'token file'): TokenEntry[] {
  const entries: TokenEntry[] = [];
  for (const record of parseCsv(text, path)) {
    if (record.length < 3) {
      throw new Error(
        `token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`,
      );
    }
    const [token = '', username = '', uid = '', groups] = record;
    if (token === '') continue;
    entries.push({ token, username, uid, groups: groups === undefined ? [] : groups.split(',') });
  }
  return entries;
}

export function loadTokenFile(path: string): TokenEntry[] {
  return parseTokenFile(readFileSync(path, 'utf8'), path);
}

/** Create `path` with one random admin token (user admin, group system:masters) unless it exists. */
export async function ensureTokenFile(path: string): Promise<void> {
  if ((await readIfExists(path)) !== undefined) return;
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(path, `${token},${ADMIN_USER},${ADMIN_USER},"${ADMIN_GROUP}"\n`, 0o600);
}

/** Records of a CSV text; a line ends with LF or CRLF. */
function parseCsv(text: string, path: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    if (text[i] === '\n' || text.startsWith('\r\n', i)) {
      i += text[i] === '\n' ? 1 : 2;
      line++;
      continue; // blank line
    }
    const record: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length)
            throw new Error(`${path}: line ${line}: extraneous or missing " in quoted-field`);
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && !text.startsWith('\r\n', i)) {
          throw new Error(`${path}: line ${line}: extraneous or missing " in quoted-field`);
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && !text.startsWith('\r\n', i)) {
          if (text[i] === '"') throw new Error(`${path}: line ${line}: bare " in non-quoted-field`);
          field += text[i];
          i++;
        }
      }
      record.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\n') i++;
    else if (text.startsWith('\r\n', i)) i += 2;
    line++;
    records.push(record);
  }
  return records;
}
