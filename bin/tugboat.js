#!/bin/sh
// 2>/dev/null; MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" exec node --no-short-builtin-calls "$0" "$@"
// The line above is for sh (to JavaScript it is a comment): it runs this file with Node, and caps glibc's malloc
// at two arenas unless the caller chose otherwise. Each thread that allocates (V8's compiler and GC helpers,
// libuv's pool, the control-plane thread) otherwise gets an arena of its own that keeps its freed pages: ~2 MiB
// of an idle server. glibc reads the setting only when the process starts, hence here. Without short builtin
// calls V8 runs its builtins from the binary's pages, shared by every thread, instead of a copy per isolate
// (~1.1 MiB of an idle server; no measurable cost in speed).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
