/**
 * Port-forward plumbing shared by the runtimes: one TCP connection to 127.0.0.1:port per forwarded stream,
 * piped both ways until either side closes (as containerd does). A refused connect rejects with a message the
 * agent writes to kubectl's error stream.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

function dialError(port: number, err: NodeJS.ErrnoException): Error {
  const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
  return new Error(`failed to connect to localhost:${port}: dial tcp4 127.0.0.1:${port}: ${why}`);
}

/** Forwards stream to 127.0.0.1:port in the caller's own network namespace. */
export function forwardToLocalPort(port: number, stream: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let connected = false;
    const onStreamClose = (): void => void socket.destroy();
    stream.once('close', onStreamClose);
    socket.once('connect', () => {
      connected = true;
      stream.pipe(socket);
      socket.pipe(stream);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) reject(dialError(port, err));
    });
    socket.once('close', () => {
      stream.off('close', onStreamClose);
      stream.unpipe(socket);
      if (connected) resolve();
    });
  });
}

// Runs inside the pod's network namespace; the parent reads why a connect failed from its stderr.
const CONNECTOR = `
const port = Number(process.argv[1]);
const s = require('net').connect({ port, host: '127.0.0.1' });
let up = false;
s.on('connect', () => { up = true; process.stdin.pipe(s); s.pipe(process.stdout); });
s.on('error', (e) => { if (!up) { process.stderr.write(JSON.stringify({ code: e.code, message: e.message })); process.exit(1); } });
// Exit only once stdout has taken every byte read: a pipe write may still be queued when the socket closes.
s.on('close', () => process.stdout.write('', () => process.exit(0)));
`;

/** Forwards stream to 127.0.0.1:port inside the network namespace at netnsPath, through nsenter. */
export function forwardInNetns(netnsPath: string, port: number, stream: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', [`--net=${netnsPath}`, process.execPath, '-e', CONNECTOR, String(port)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stderr: Buffer[] = [];
    const onStreamClose = (): void => void child.kill('SIGKILL');
    stream.once('close', onStreamClose);
    child.stdin.on('error', () => {});
    stream.pipe(child.stdin);
    // Ended below once the connector exits, so a failure's text reaches the error stream first.
    child.stdout.pipe(stream, { end: false });
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.once('error', (err) => {
      stream.off('close', onStreamClose);
      reject(err);
    });
    child.once('close', (code) => {
      stream.off('close', onStreamClose);
      stream.unpipe(child.stdin);
      if (code === 0 || code === null) {
        stream.end();
        return resolve();
      }
      const text = Buffer.concat(stderr).toString('utf8');
      let err: NodeJS.ErrnoException;
      try {
        err = JSON.parse(text) as NodeJS.ErrnoException;
      } catch {
        err = new Error(text.trim() || `connector exited with ${code}`);
      }
      reject(dialError(port, err));
    });
  });
}
