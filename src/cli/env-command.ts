/**
 * `isola env ls|rm <hash>|prune [--max-bytes n] [--older-than-days d]`: manage the content-addressed
 * environment store that package installs fill (the same store the engine uses: --store, ISOLA_STORE_DIR,
 * or ./snapshots under the package).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEnvironmentManager } from '../environments/index.js';
import { packageRoot } from '../engine/package-root.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: isola env ls [--json]
       isola env rm <hash>
       isola env prune [--max-bytes n] [--older-than-days d]
Options: --store <dir>  the store directory (default: ISOLA_STORE_DIR or ./snapshots)`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      store: { type: 'string' },
      json: { type: 'boolean', default: false },
      'max-bytes': { type: 'string' },
      'older-than-days': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [action, hash, ...rest] = positionals;
  if (!action || rest.length > 0) throw new UsageError(USAGE);
  const storeDir = resolve(values.store ?? process.env['ISOLA_STORE_DIR'] ?? join(packageRoot(), 'snapshots'));
  const envs = createEnvironmentManager({ storeDir });
  try {
    switch (action) {
      case 'ls': {
        const list = await envs.list();
        if (values.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0) process.stdout.write(`no environments in ${storeDir}\n`);
        else {
          for (const env of list) {
            const packages = env.packages.map((p) => `${p.name}@${p.version}`).join(' ');
            process.stdout.write(`${env.hash.slice(0, 16)}  ${env.lane.padEnd(7)}  ${mib(env.sizeBytes).padStart(9)}  last used ${env.lastUsedAt}  ${packages}\n`);
          }
        }
        return 0;
      }
      case 'rm': {
        if (!hash) throw new UsageError("rm needs an environment hash (see isola env ls)");
        const full = (await envs.list()).filter((env) => env.hash.startsWith(hash));
        if (full.length !== 1) {
          process.stderr.write(full.length === 0 ? `isola env rm: no environment ${hash}\n` : `isola env rm: ${hash} is ambiguous\n`);
          return 1;
        }
        await envs.remove(full[0]!.hash);
        process.stdout.write(`removed ${full[0]!.hash}\n`);
        return 0;
      }
      case 'prune': {
        const maxBytes = optionalNumber(values['max-bytes'], '--max-bytes');
        const days = optionalNumber(values['older-than-days'], '--older-than-days');
        const result = await envs.prune({ ...(maxBytes !== undefined ? { maxBytes } : {}), ...(days !== undefined ? { olderThanMs: days * 86_400_000 } : {}) });
        process.stdout.write(`removed ${result.removed.length} environment(s), freed ${mib(result.freedBytes)}, ${mib(result.remainingBytes)} remain\n`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action}"\n${USAGE}`);
    }
  } finally {
    await envs.close();
  }
}

function optionalNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(`${flag} must be a non-negative number, got "${text}"`);
  return value;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
