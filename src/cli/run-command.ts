/**
 * `isola run <file>`: build a request from flags, run it once in a fresh engine, print the response JSON
 * and exit with a code that mirrors the result (see exit-codes.ts). Imports nothing of the HTTP stack, so
 * start-up stays lean.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isIsolaError, type FieldIssue, type IsolaError } from '../contract/errors.js';
import { DEFAULT_OPERATOR_LIMITS } from '../contract/operator-limits.js';
import { acceptExecuteRequest, type ParsedExecuteRequest } from '../contract/request.js';
import { EXIT, EXIT_BY_ERROR_TYPE, exitCodeOf, exitCodeOfError } from './exit-codes.js';
import { KNOWN_EXTENSIONS, languageOfFile } from './language.js';
import { writeStderr, writeStdout } from './output.js';
import { UsageError } from './usage-error.js';

export const RUN_USAGE = `Usage: isola run <file|-> [options]

Runs the file once in a fresh sandbox and prints the response JSON on stdout.

Options:
  --lang <javascript|typescript|python|ruby|wasm>  default: from the extension (${KNOWN_EXTENSIONS.join(' ')})
  --inputs <JSON|@file|@->               inputs object (inline JSON, a file, or stdin); default {}
  --timeout <ms>                         hard deadline, 1..${DEFAULT_OPERATOR_LIMITS.maxTimeoutMs}; default 10000
  --memory <mb>                          heap cap, 16..4096; default 256
  --entrypoint <auto|script|main>        default auto
  --runtime <auto|wasm|native>           default auto
  --package <spec>                       a package to install (repeatable)
  --allow <host>                         a host the code may reach (repeatable)
  --follow                               print the code's stdout and stderr live, as it writes them,
                                         instead of the response JSON; then main()'s return value (JSON)
                                         on stdout, and a platform failure (timeout, ...) in one line on stderr
  -h, --help

Exit codes: 0 completed with return code 0; the code's own return code (1..255) when it failed;
2 bad flags or a request the contract rejects; 130 cancelled (Ctrl-C); 124 timeout; 137 memory limit; 125 output limit;
65 invalid output; 69 package unavailable; 75 engine overloaded; 70 internal error.`;

const OPTIONS = {
  lang: { type: 'string' },
  inputs: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  entrypoint: { type: 'string' },
  runtime: { type: 'string' },
  package: { type: 'string', multiple: true },
  allow: { type: 'string', multiple: true },
  follow: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Contract field -> the flag that sets it, so validation messages speak the CLI's language. */
const FLAG_OF_FIELD: Record<string, string> = {
  language: '--lang',
  code: '<file>',
  inputs: '--inputs',
  timeout_ms: '--timeout',
  memory_mb: '--memory',
  entrypoint: '--entrypoint',
  runtime: '--runtime',
  packages: '--package',
  network: '--allow',
};

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    await writeStdout(`${RUN_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'missing <file>' : `expected one file, got ${positionals.length}`);
  }
  const file = positionals[0] as string;
  if (file === '-' && values.inputs === '@-') throw new UsageError('stdin cannot hold both the code and --inputs');

  // Raw, unchecked values: the contract validates them all at once below and names every bad one.
  const language = languageOf(file, values.lang);
  // A wasm module is binary: the contract carries it as base64.
  const input: Record<string, unknown> = {
    language,
    code: language === 'wasm' ? (await readBytes(file, 'file')).toString('base64') : await readText(file, 'file'),
  };
  if (values.inputs !== undefined) input['inputs'] = await readInputs(values.inputs);
  if (values.timeout !== undefined) input['timeout_ms'] = integerFlag('--timeout', values.timeout);
  if (values.memory !== undefined) input['memory_mb'] = integerFlag('--memory', values.memory);
  if (values.entrypoint !== undefined) input['entrypoint'] = values.entrypoint;
  if (values.runtime !== undefined) input['runtime'] = values.runtime;
  if (values.package) input['packages'] = values.package;
  if (values.allow) input['network'] = { allow: values.allow };

  // Validate before starting an engine, so a typo costs nothing and names the flag.
  let request: ParsedExecuteRequest;
  try {
    request = acceptExecuteRequest(input);
  } catch (error) {
    if (isIsolaError(error)) return reportRequestError(error);
    throw error;
  }

  const { createEngine } = await import('../engine/create-engine.js');
  // One execution: start only the worker it needs, when it needs it.
  const engine = await createEngine({ prewarm: false, workers: { quickjs: 1, cpython: 1, wasi: 1, native: 1 } });
  // Ctrl-C stops the running code (its result says `cancelled`, exit 130); a second one exits at once.
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_BY_ERROR_TYPE.cancelled);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  // --follow: the code's own streams, in the order it wrote each of them.
  let written: Promise<void> = Promise.resolve();
  const onOutput = (stream: 'stdout' | 'stderr', text: string) => {
    written = written.then(() => (stream === 'stdout' ? writeStdout(text) : writeStderr(text)));
  };
  try {
    const response = await engine.execute(request, { signal: controller.signal, ...(values.follow ? { onOutput } : {}) });
    if (!values.follow) {
      await writeStdout(`${JSON.stringify(response, null, 2)}\n`);
      return exitCodeOf(response);
    }
    await written;
    if (response.environment.mode === 'main' && response.output !== null && response.output !== undefined) await writeStdout(`${JSON.stringify(response.output)}\n`);
    if (response.stdout_truncated || response.stderr_truncated) await writeStderr('isola run: output truncated at the stream limit\n');
    if (response.error && response.error.type !== 'exception') await writeStderr(`isola run: ${response.error.type}: ${response.error.message}\n`);
    return exitCodeOf(response);
  } catch (error) {
    if (isIsolaError(error)) return reportRequestError(error);
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    await engine.close({ graceMs: 0 });
  }
}

function languageOf(file: string, flag: string | undefined): string {
  // An unknown --lang value is left to the contract, which lists the allowed ones.
  if (flag !== undefined) return flag;
  const inferred = file === '-' ? undefined : languageOfFile(file);
  if (inferred === undefined) {
    throw new UsageError(`cannot tell the language of ${file}; pass --lang (known extensions: ${KNOWN_EXTENSIONS.join(' ')})`);
  }
  return inferred;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (cause as Error).message;
    throw new UsageError(`cannot read ${what} ${path}: ${reason}`, { cause });
  }
}

async function readBytes(path: string, what: string): Promise<Buffer> {
  try {
    return path === '-' ? await readStdinBytes() : await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (cause as Error).message;
    throw new UsageError(`cannot read ${what} ${path}: ${reason}`, { cause });
  }
}

async function readStdin(): Promise<string> {
  return (await readStdinBytes()).toString('utf8');
}

async function readStdinBytes(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** --inputs takes inline JSON, @path or @- (stdin). The contract checks that it is an object. */
async function readInputs(value: string): Promise<unknown> {
  const text = value.startsWith('@') ? await readText(value.slice(1), '--inputs file') : value;
  try {
    return JSON.parse(text);
  } catch (cause) {
    const source = value.startsWith('@') ? value.slice(1) : 'the value';
    throw new UsageError(`--inputs: ${source} is not valid JSON (${(cause as Error).message})`, { cause });
  }
}

function integerFlag(flag: string, value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be an integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function describeIssue(issue: FieldIssue): string {
  const top = issue.field.split(/[.,]/)[0] ?? issue.field;
  const flag = FLAG_OF_FIELD[top];
  return flag ? `${flag} (${issue.field}): ${issue.message}` : `${issue.field}: ${issue.message}`;
}

async function reportRequestError(error: IsolaError): Promise<number> {
  const lines = [`isola run: ${error.code}: ${error.message}`];
  for (const issue of error.issues ?? []) lines.push(`  ${describeIssue(issue)}`);
  await writeStderr(`${lines.join('\n')}\n`);
  return exitCodeOfError(error);
}
