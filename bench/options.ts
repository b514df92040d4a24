/** Command-line options of `isola bench` / `npm run bench`. */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import type { BenchLanguage, BenchOptions } from './model.js';
import { repoRoot } from './process.js';

export const USAGE = `Usage: isola bench [options]
  --quick              short run (under two minutes on 2 cores)
  --only <scenario>    run only these scenarios (repeatable or comma-separated)
  --subject <id>       measure only these subjects: isola or a peer id (repeatable or comma-separated)
  --lang <js|py>       measure only this language (javascript or python)
  --iterations <n>     override every repetition count (smoke tests)
  --out <dir>          where results go (default bench/results)
  --no-write           print the table only
  --list               list scenarios and subjects, then exit
  -h, --help           this text`;

export type ParsedArgs = { kind: 'run'; options: BenchOptions } | { kind: 'help' } | { kind: 'list' } | { kind: 'error'; message: string };

const LANGUAGES: Record<string, BenchLanguage> = { js: 'javascript', javascript: 'javascript', py: 'python', python: 'python' };

function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function parseBenchArgs(argv: readonly string[]): ParsedArgs {
  // biome-ignore lint/suspicious/noImplicitAnyLet: TypeScript infers it from the parseArgs call, whose options type it needs
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        subject: { type: 'string', multiple: true },
        lang: { type: 'string', multiple: true },
        iterations: { type: 'string' },
        out: { type: 'string' },
        'no-write': { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  const v = parsed.values;
  if (v.help) return { kind: 'help' };
  if (v.list) return { kind: 'list' };
  let iterations: number | undefined;
  if (v.iterations !== undefined) {
    iterations = Number(v.iterations);
    if (!Number.isInteger(iterations) || iterations < 1) return { kind: 'error', message: `--iterations must be a positive integer, got ${v.iterations}` };
  }
  const languages: BenchLanguage[] = [];
  for (const lang of list(v.lang)) {
    const language = LANGUAGES[lang];
    if (!language) return { kind: 'error', message: `--lang must be js, javascript, py or python, got ${lang}` };
    languages.push(language);
  }
  return {
    kind: 'run',
    options: {
      quick: v.quick ?? false,
      only: list(v.only),
      subjects: list(v.subject),
      languages,
      ...(iterations === undefined ? {} : { iterations }),
      outDir: v.out ?? join(repoRoot(), 'bench', 'results'),
      write: !v['no-write'],
    },
  };
}
