import { EventEmitter } from 'node:events';
import type { IpcChannel } from './ipc-rpc.js';

/** For tests: two ends of an IPC channel in one process, messages encoded as Node's (JSON) IPC does. */
export function ipcChannelPair(): [IpcChannel, IpcChannel] {
  const a = new EventEmitter();
  const b = new EventEmitter();
  const end = (self: EventEmitter, other: EventEmitter): IpcChannel => ({
    send: (message) => {
      const text = JSON.stringify(message);
      setImmediate(() => other.emit('message', JSON.parse(text)));
      return true;
    },
    on: (event, listener) => self.on(event, listener),
    off: (event, listener) => self.off(event, listener),
  });
  return [end(a, b), end(b, a)];
}
