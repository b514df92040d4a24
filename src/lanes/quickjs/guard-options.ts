/**
 * How the module guard rewrites QuickJS's .wasm (dirty marking for the heap image, the stack pointer
 * exported; no loop checks: QuickJS has its interrupt handler). One place for the Node lane
 * (quickjs-wasm.ts) and the edge build (scripts/build-web.mjs). Portable.
 */
import type { GuardOptions } from '../../wasm/guard-module.js';

/** Bump when the rewrite changes what it writes: stored rewrites are keyed by it. */
export const QUICKJS_GUARD_VERSION = 3;

export const QUICKJS_GUARD: GuardOptions = { maximumPages: 32768, deadlineChecks: false };
