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
  /** One line for `isola --help`. */
  summary: string;
  load(): Promise<CommandModule>;
}

export const COMMANDS: Record<string, CommandSpec> = {
  run: {
    summary: 'run <file> [--lang] [--inputs JSON|@file] [--timeout ms] [--memory mb] ...  run code once, print the result',
    load: () => import('./run-command.js'),
  },
  serve: {
    summary: 'serve [--port 8080] [--host 127.0.0.1]  start the HTTP service',
    load: () => import('./serve-command.js'),
  },
};
