/**
 * What the engine knows about a lane, written once, in the lane's own folder (`<lane>/descriptor.ts`),
 * and listed in registry.ts. The engine reads lanes only through these: it names no lane itself.
 * Portable: plain data and pure functions.
 */
import type { Language } from '../contract/request.js';
import type { LaneName } from './lane.js';

export interface LaneDescriptor {
  name: LaneName;
  /** Languages whose requests this lane runs by default (the native lane runs them only when routed). */
  languages: readonly Language[];
  /**
   * Where the driver runs: a pool of worker threads (Wasm lanes: a thread can be terminated when a
   * guest ignores its deadline), or the engine's own thread (native: the sandbox is a subprocess).
   */
  host: 'worker' | 'inline';
  /** Workers (or concurrent jobs, inline) when the operator does not say. */
  defaultWorkers(cores: number): number;
  /**
   * How far the pool may grow while every worker is busy and jobs wait (worker lanes): more than
   * defaultWorkers for a lane whose guests can block without using a core (sleep, network).
   */
  maxWorkers(workers: number): number;
  /** How long after the deadline a job may take to answer before its worker is terminated. */
  graceMs: number;
  /** Which isolation boundaries the lane puts around guest code (reported by /readyz). */
  boundaries: readonly ('wasm' | 'os_sandbox' | 'scrubbed_env' | 'no_host_realm')[];
  /**
   * Inputs of the lane's environment hash for requests without packages: what makes two engines run
   * the same code the same way (runtime versions, bootstrap files). Paths are relative to the package root.
   */
  fingerprint: { packages: readonly string[]; runtimeFiles: readonly string[] };
  /**
   * What a worker keeps between executions that this one would reuse (a prepared environment, an
   * image with heavy modules imported): the pool sends it to a free worker that has it, if any.
   */
  affinity?(job: { code: string; environmentHash?: string }): string | undefined;
}
