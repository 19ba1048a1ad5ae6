import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseJoinToken } from '../apiserver/join/join-token.js';
import type { LogLevel } from '../util/logger.js';
import { UsageError, type CliIo, type FlagSpec, type FlagValues } from './command.js';
import { logLevelFlag, resolveLogLevel } from './log-level-flag.js';
import { nodeFlags, resolveNodeOptions, type NodeOptions } from './node-options.js';
import { defaultDataDir } from './server-options.js';

/** Everything `tugboat agent` needs, defaults resolved and values validated. */
export interface AgentCommandOptions extends NodeOptions {
  /** The server's URL, `https://HOST:PORT`, without a trailing slash. */
  server: string;
  token: string;
  dataDir: string;
  /** Loopback port of the load balancer over the cluster's API servers (0: any free port). */
  lbServerPort: number;
  logLevel: LogLevel;
}

export const agentFlags: FlagSpec[] = [
  {
    name: 'server',
    short: 's',
    type: 'string',
    valueName: 'URL',
    description: 'The server to join, https://HOST:PORT (also $TUGBOAT_URL)',
  },
  {
    name: 'token',
    short: 't',
    type: 'string',
    valueName: 'TOKEN',
    description: "The join token, from the server's DATA_DIR/server/node-token (also $TUGBOAT_TOKEN)",
  },
  {
    name: 'token-file',
    type: 'string',
    valueName: 'FILE',
    description: 'A file holding the join token',
  },
  {
    name: 'data-dir',
    short: 'd',
    type: 'string',
    valueName: 'DIR',
    description: "Folder for the agent's state: images, pods, credentials",
    defaultText: '/var/lib/tugboat as root, ~/.tugboat otherwise',
  },
  {
    name: 'lb-server-port',
    type: 'string',
    valueName: 'PORT',
    description: "Loopback port of the agent's load balancer over the cluster's API servers (k3s uses 6444)",
    defaultText: 'any free port',
  },
  ...nodeFlags,
  logLevelFlag,
];

/** Turn parsed flags into AgentCommandOptions; a bad value is a UsageError naming the flag. */
export function resolveAgentOptions(values: FlagValues, io: CliIo): AgentCommandOptions {
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const bad = (flag: string, value: string, why: string): UsageError =>
    new UsageError(`invalid value "${value}" for --${flag}: ${why}`, 'agent');

  const serverText = str('server') ?? io.env.TUGBOAT_URL;
  if (serverText === undefined || serverText === '') {
    throw new UsageError('--server is required: the URL of the server to join', 'agent');
  }
  let server: string;
  try {
    const url = new URL(serverText);
    if (url.protocol !== 'https:') throw new Error('must be an https:// URL');
    if (url.pathname !== '/' || url.search || url.hash) throw new Error('must have no path');
    server = url.origin;
  } catch (err) {
    throw bad('server', serverText, (err as Error).message.replace(/^Invalid URL.*/, 'must be a URL'));
  }

  const tokenFile = str('token-file');
  let token = str('token') ?? io.env.TUGBOAT_TOKEN;
  if (tokenFile !== undefined) {
    if (token !== undefined) throw new UsageError('give --token or --token-file, not both', 'agent');
    try {
      token = readFileSync(resolve(io.cwd, tokenFile), 'utf8').trim();
    } catch (err) {
      throw bad('token-file', tokenFile, (err as Error).message);
    }
  }
  if (token === undefined || token === '') {
    throw new UsageError(
      "--token is required: the join token from the server's DATA_DIR/server/node-token",
      'agent',
    );
  }
  try {
    parseJoinToken(token);
  } catch (err) {
    throw bad(tokenFile !== undefined ? 'token-file' : 'token', '…', (err as Error).message);
  }

  const dataDirFlag = str('data-dir');
  if (dataDirFlag === '') throw bad('data-dir', '', 'must not be empty');
  const dataDir = resolve(io.cwd, dataDirFlag ?? defaultDataDir(io));

  const lbPortText = str('lb-server-port') ?? '0';
  const lbServerPort = Number(lbPortText);
  if (!/^\d+$/.test(lbPortText) || lbServerPort > 65535) {
    throw bad('lb-server-port', lbPortText, 'must be a port number 0-65535');
  }

  const logLevel = resolveLogLevel(str, bad, io);

  return {
    server,
    token,
    dataDir,
    lbServerPort,
    ...resolveNodeOptions(str, bad, io),
    logLevel,
  };
}
