/**
 * Calls and notices between a process and a child it forked, over Node's IPC channel (JSON: arguments and
 * answers are plain data). Messages sent in one event-loop turn go out as one IPC message: under load a
 * process sends thousands of small messages a second, and each IPC message is a write and a read of the pipe.
 */

/** The IPC side of a ChildProcess (parent) or of `process` (child). */
export interface IpcChannel {
  send(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

type Handler = (...args: never[]) => unknown;

type Frame =
  | { t: 'call'; id: number; m: string; a: unknown[] }
  | { t: 'ok'; id: number; v: unknown }
  | { t: 'err'; id: number; e: SerializedError }
  | { t: 'note'; m: string; a: unknown[] };

export interface SerializedError {
  name: string;
  message: string;
  /** The error's own enumerable fields (a key, revisions, an HTTP code…). */
  fields: Record<string, unknown>;
}

const BATCH = 'rpc-batch';

export class IpcRpc {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly handlers = new Map<string, Handler>();
  private outbox: Frame[] = [];
  private flushing = false;
  private closed = false;
  private readonly onMessage = (message: unknown): void => {
    const m = message as { type?: string; frames?: Frame[] };
    if (m?.type !== BATCH || !m.frames) return;
    for (const frame of m.frames) this.receive(frame);
  };

  constructor(
    private readonly channel: IpcChannel,
    /** Rebuilds the error classes callers test for (instanceof) from their serialized form. */
    private readonly reviveError: (e: SerializedError) => Error = plainError,
  ) {
    channel.on('message', this.onMessage);
  }

  /** Answers calls of `method`: the handler's value (or promise) is the answer, a throw the error. */
  handle(method: string, fn: Handler): void {
    this.handlers.set(method, fn);
  }

  call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the other process is gone'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve, reject });
      this.post({ t: 'call', id, m: method, a: args });
    });
  }

  /** A message without an answer; notices and answers keep the order they were sent in. */
  notify(method: string, ...args: unknown[]): void {
    if (!this.closed) this.post({ t: 'note', m: method, a: args });
  }

  /** The channel is gone: every call waiting for an answer fails. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.off('message', this.onMessage);
    const gone = new Error('the other process is gone');
    for (const p of this.pending.values()) p.reject(gone);
    this.pending.clear();
    this.outbox = [];
  }

  private post(frame: Frame): void {
    this.outbox.push(frame);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = false;
    if (this.closed || this.outbox.length === 0) return;
    const frames = this.outbox;
    this.outbox = [];
    try {
      this.channel.send({ type: BATCH, frames });
    } catch {
      // The channel closed under us (the other process exited); its 'disconnect' closes this side too.
    }
  }

  private receive(frame: Frame): void {
    switch (frame.t) {
      case 'ok':
      case 'err': {
        const p = this.pending.get(frame.id);
        if (!p) return;
        this.pending.delete(frame.id);
        if (frame.t === 'ok') p.resolve(frame.v);
        else p.reject(this.reviveError(frame.e));
        return;
      }
      case 'note': {
        const fn = this.handlers.get(frame.m);
        fn?.(...(frame.a as never[]));
        return;
      }
      case 'call':
        this.answer(frame);
    }
  }

  private answer(frame: { id: number; m: string; a: unknown[] }): void {
    const fn = this.handlers.get(frame.m);
    const fail = (err: unknown): void => this.post({ t: 'err', id: frame.id, e: serializeError(err) });
    if (!fn) return fail(new Error(`no handler for ${frame.m}`));
    let result: unknown;
    try {
      result = fn(...(frame.a as never[]));
    } catch (err) {
      return fail(err);
    }
    if (result instanceof Promise) {
      result.then((v: unknown) => this.post({ t: 'ok', id: frame.id, v }), fail);
    } else this.post({ t: 'ok', id: frame.id, v: result });
  }
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(err)) {
    if (typeof v !== 'function') fields[k] = v;
  }
  return { name: err.name, message: err.message, fields };
}

function plainError(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return Object.assign(err, e.fields);
}
