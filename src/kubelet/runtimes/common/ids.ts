import { randomBytes } from 'node:crypto';

/** Generates sandbox and container ids; injected so tests can choose them. */
export type IdGenerator = () => string;

/** 64 hex characters, as container runtimes use. */
export const randomId: IdGenerator = () => randomBytes(32).toString('hex');
