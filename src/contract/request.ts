import * as z from 'zod';
import { IsolaError, type FieldIssue } from './errors.js';
import { ITEM_LANGUAGES, itemRequestFields, serializeItems } from './items.js';
import { findJsonValueIssue, loneSurrogateAt, loneSurrogateMessage } from './json-checks.js';
import { OutputGuardsSchema } from './output-guards.js';
import { checkItemInput, checkTypedInputs, compileTypedIo, type ItemInputViolation, type OutputCheck } from './typed-io.js';
import { SCHEMA_MAX_BYTES, SCHEMA_MAX_DEPTH } from './json-schema.js';
import { LIMITS, MIB, utf8Length } from './limits.js';
import { DEFAULT_OPERATOR_LIMITS, defaultTimeoutMs, sameLimits, type OperatorLimits } from './operator-limits.js';
import { PrebuildLanguageSchema, shellPrebuildOf } from './prebuild.js';
import { wasmModuleIssue } from './wasm-module.js';

/** A string that is valid Unicode: a lone surrogate would reach a guest's UTF-8 encoder and fail there. */
const unicodeString = () =>
  z.string().superRefine((text, ctx) => {
    const at = loneSurrogateAt(text);
    if (at >= 0) ctx.addIssue({ code: 'custom', message: loneSurrogateMessage(text, at) });
  });

export const LanguageSchema = z
  .enum(['javascript', 'typescript', 'python', 'ruby', 'wasm'])
  .describe('Language of `code`. wasm: `code` is a base64-encoded WASI preview1 command module or WASI 0.2 component (or `module` names an uploaded one).');
export type Language = z.infer<typeof LanguageSchema>;

export const EntrypointSchema = z
  .enum(['auto', 'script', 'main'])
  .describe('auto: call main() if the code defines one and never calls it itself; otherwise run as a script.');
export type Entrypoint = z.infer<typeof EntrypointSchema>;

export const RuntimeSchema = z
  .enum(['auto', 'wasm', 'native'])
  .describe('wasm: only the WebAssembly lanes; native: the bubblewrap lane; auto: wasm when possible.');
export type RuntimeChoice = z.infer<typeof RuntimeSchema>;

/** A JSON Schema: an object or a boolean. Its content is ajv's to judge (typed-io.ts), under caps. */
const JsonSchemaField = z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional();

/**
 * A WASI module uploaded with POST /v1/blobs, run instead of base64 in `code` (language "wasm" only):
 * the engine reads it from the blob store, which checked its SHA-256 and size on the way in.
 */
export const WasmModuleRefSchema = z
  .object({ id: z.string().min(1).max(200).describe('Blob id from POST /v1/blobs of a WASI preview1 command module.') })
  .strict()
  .describe(`Language "wasm" only: run this uploaded module instead of \`code\` (at most ${LIMITS.wasmModuleBytes / MIB} MiB).`);

/** Host pattern of the egress allow-list: a name, `*.` wildcard or IP literal, with an optional port. */
const ALLOW_ENTRY = /^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

/** One egress allow-list entry (also a project's egress ceiling entry). */
export const AllowEntrySchema = z
  .string()
  .max(LIMITS.allowHosts.entryChars)
  .regex(ALLOW_ENTRY, 'must be a host name, "*.domain", or IP literal, with an optional ":port"');

export const NetworkSchema = z
  .object({
    allow: z
      .array(AllowEntrySchema)
      .max(LIMITS.allowHosts.max)
      .default([]),
  })
  .strict()
  .describe('Egress allow-list. Empty (the default) means no network.');

/**
 * The request schema under an operator's limits (the maximum timeout and the size caps in the
 * descriptions, which /openapi.json publishes). Built once per engine or app, never per request.
 */
export function executeRequestSchema(limits: OperatorLimits) {
  return z
    .object({
      language: LanguageSchema,
      // Required, except for a wasm request that names an uploaded module instead (checked in acceptWith).
      code: unicodeString()
        .default('')
        .describe(`Source code, at most ${limits.maxCodeBytes} bytes of UTF-8. Required unless \`module\` names an uploaded wasm module.`),
      module: WasmModuleRefSchema.optional(),
      inputs: z
        .record(z.string(), z.unknown())
        .default({})
        .describe(
          `JSON object handed to the code, at most ${limits.maxInputsBytes} bytes serialized and ${LIMITS.jsonDepth} levels deep; strings must be valid Unicode and numbers finite.`,
        ),
      entrypoint: EntrypointSchema.default('auto'),
      timeout_ms: z
        .number()
        .int()
        .min(LIMITS.timeoutMs.min)
        .max(limits.maxTimeoutMs)
        .default(defaultTimeoutMs(limits))
        .describe(`Hard wall-clock deadline of the run, at most ${limits.maxTimeoutMs} ms (the operator's maximum).`),
      memory_mb: z
        .number()
        .int()
        .min(LIMITS.memoryMb.min)
        .max(LIMITS.memoryMb.max)
        .default(LIMITS.memoryMb.default)
        .describe('Cap of the guest heap.'),
      packages: z
        .array(unicodeString().min(1).max(LIMITS.packages.specChars))
        .max(LIMITS.packages.max)
        .default([])
        .describe('npm specs (name@range) or pip requirement specs, by language.'),
      network: NetworkSchema.default({ allow: [] }),
      runtime: RuntimeSchema.default('auto'),
      prebuild: unicodeString()
        .optional()
        .describe(
          'Run once when the environment is built: code in the language of `code` (before the snapshot), or a shell script (`prebuild_language: "bash"` or a `#!/bin/bash` first line) run in the native lane, whose working directory starts every execution.',
        ),
      prebuild_language: PrebuildLanguageSchema.optional(),
      input_schema: JsonSchemaField.describe(
        `JSON Schema (2020-12) the inputs must match, checked on the host before the code runs: a mismatch is a 400 naming the JSON pointer. At most ${SCHEMA_MAX_BYTES} bytes and ${SCHEMA_MAX_DEPTH} levels; patterns use RE2 syntax.`,
      ),
      output_schema: JsonSchemaField.describe(
        'JSON Schema (2020-12) the output must match: a mismatch is the result error `invalid_output` naming the JSON pointer and the rule.',
      ),
      output_guards: OutputGuardsSchema,
      coerce: z
        .boolean()
        .default(false)
        .describe('Convert inputs to the types input_schema declares, as Dify does: "42" -> 42, "true" -> true, a JSON or comma list -> array, a URL -> { name, url, mime_type } for "format": "file".'),
      stdin: unicodeString()
        .optional()
        .describe(`What the code reads on standard input (default: the inputs as JSON), at most ${limits.maxInputsBytes} bytes.`),
      ...itemRequestFields,
    })
    .strict();
}

/** The schema under the default operator limits: the request types, and what a library caller gets. */
export const ExecuteRequestSchema = executeRequestSchema(DEFAULT_OPERATOR_LIMITS);

/** What callers may send (defaults optional). */
export type ExecuteRequestInput = z.input<typeof ExecuteRequestSchema>;
/** What the engine works with (defaults applied). */
export type ExecuteRequest = z.output<typeof ExecuteRequestSchema>;

function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(body)' : path.map(String).join('.');
}

/**
 * A request the contract accepted: defaults applied, every field checked, and the inputs serialised
 * (once) into the JSON text the guest receives. Only a RequestContract makes one, and an engine under the
 * same limits runs it without parsing again; the request is frozen, and later changes to `inputs` do not reach the guest.
 */
export interface ParsedExecuteRequest {
  readonly request: Readonly<ExecuteRequest>;
  readonly inputsJson: string;
  /** output_schema compiled (and, later, the output guards): the envelope runs it on the output. */
  readonly outputCheck?: OutputCheck;
  /** With `items`: each item's JSON text and the whole list's (src/contract/items.ts), serialised once. */
  readonly batch?: {
    readonly itemJsons: readonly string[];
    readonly itemsJson: string;
    /** By item index: why that item's json fails input_schema (the item is not run; it is its error). */
    readonly inputViolations?: readonly (ItemInputViolation | undefined)[];
  };
}

/** Each request a contract returned, with the limits it was accepted under. */
const accepted = new WeakMap<object, OperatorLimits>();

/**
 * True only for what a contract returned (under `limits`, when given): a look-alike object is parsed
 * like any body, and a request accepted under other limits is checked again.
 */
export function isParsedExecuteRequest(value: unknown, limits?: OperatorLimits): value is ParsedExecuteRequest {
  if (typeof value !== 'object' || value === null) return false;
  const under = accepted.get(value);
  return under !== undefined && (limits === undefined || sameLimits(under, limits));
}

/**
 * The contract under one operator's limits: the schema, built once, and `accept` over it.
 * The engine holds one and so does each face, built from the engine's limits, so a request the HTTP face
 * accepted is not parsed again and a library caller meets exactly the same checks.
 */
export interface RequestContract {
  readonly limits: OperatorLimits;
  readonly schema: ReturnType<typeof executeRequestSchema>;
  /** Validate and normalise a request, keeping the serialised inputs: what the faces hand to Engine.execute. */
  accept(body: unknown): ParsedExecuteRequest;
}

export function createRequestContract(limits: OperatorLimits = DEFAULT_OPERATOR_LIMITS): RequestContract {
  const schema = executeRequestSchema(limits);
  const contract: RequestContract = {
    limits,
    schema,
    accept(body) {
      if (isParsedExecuteRequest(body, limits)) return body;
      // Accepted under other limits (another engine's): its normalised request is a body like any other.
      return acceptWith(schema, limits, isParsedExecuteRequest(body) ? body.request : body);
    },
  };
  return Object.freeze(contract);
}

const defaultContract = createRequestContract();

/**
 * Validate and normalise a request under the default operator limits. Throws IsolaError
 * `invalid_request` naming every bad field, or `payload_too_large` naming the field over its size limit,
 * and returns the request with defaults applied.
 */
export function parseExecuteRequest(body: unknown): ExecuteRequest {
  return defaultContract.accept(body).request;
}

/** parseExecuteRequest, keeping the serialised inputs. An engine's own limits: createRequestContract. */
export function acceptExecuteRequest(body: unknown): ParsedExecuteRequest {
  return defaultContract.accept(body);
}

function acceptWith(schema: RequestContract['schema'], limits: OperatorLimits, body: unknown): ParsedExecuteRequest {
  const parsed = schema.safeParse(body);
  const missingCode = missingCodeIssue(body);
  if (!parsed.success) {
    const issues: FieldIssue[] = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((key) => [...issue.path, key]);
        return { field: keys.map(pathOf).join(', '), message: `unknown field (${issue.keys.join(', ')})` };
      }
      return { field: pathOf(issue.path), message: issue.message };
    });
    throw invalid(missingCode ? [missingCode, ...issues] : issues);
  }
  if (missingCode) throw invalid([missingCode]);
  const request = parsed.data;
  // Before serialising: JSON.stringify recurses, and 1e400 would silently become null.
  const inputsIssue = findJsonValueIssue(request.inputs, 'inputs');
  if (inputsIssue) throw invalid([inputsIssue]);
  const typed = compileTypedIo(request);
  if ('issues' in typed) throw invalid(typed.issues);
  // With items, input_schema describes each item's json (args.input), checked below; `inputs` is free.
  const checked = request.items === undefined ? checkTypedInputs(request, typed) : { inputs: request.inputs };
  if ('issues' in checked) throw invalid(checked.issues);
  request.inputs = checked.inputs;
  const prebuildIssue = prebuildLanguageIssue(request);
  if (prebuildIssue) throw invalid([prebuildIssue]);
  const wasiIssues = wasiLaneIssues(request, limits);
  if (wasiIssues.length > 0) throw invalid(wasiIssues);
  const tooLarge: FieldIssue[] = [];
  let batch: ParsedExecuteRequest['batch'];
  if (request.items !== undefined) {
    if (request.entrypoint === 'script') throw invalid([{ field: 'entrypoint', message: 'items run execute(args, ctx) once per item; entrypoint "script" cannot run them' }]);
    if (!ITEM_LANGUAGES.includes(request.language)) throw invalid([{ field: 'items', message: `items run execute(args, ctx) in ${ITEM_LANGUAGES.join(', ')}; language "${request.language}" has no such entry` }]);
    // Each item's json coerced (when asked) and held to input_schema; one that fails is that item's error.
    const inputViolations: (ItemInputViolation | undefined)[] = [];
    const items = request.items.map((item, index) => {
      const checkedItem = checkItemInput(typed, request.coerce === true, item.json, index);
      if ('violation' in checkedItem) inputViolations[index] = checkedItem.violation;
      // Coercion converts property values; an item's json stays an object.
      const json = 'json' in checkedItem ? checkedItem.json : item.json;
      return json !== item.json && typeof json === 'object' && json !== null && !Array.isArray(json) ? { ...item, json: json as Record<string, unknown> } : item;
    });
    request.items = items;
    const serialized = serializeItems(items);
    if ('issue' in serialized) throw invalid([serialized.issue]);
    if (serialized.bytes > limits.maxInputsBytes) tooLarge.push({ field: 'items', message: `${serialized.bytes} bytes serialized exceeds the limit of ${limits.maxInputsBytes}` });
    batch = Object.freeze({ itemJsons: Object.freeze(serialized.itemJsons), itemsJson: serialized.itemsJson, ...(inputViolations.length > 0 ? { inputViolations: Object.freeze(inputViolations) } : {}) });
  } else {
    const stray = (['continue_on_fail', 'empty_batch'] as const).find((field) => request[field] !== undefined);
    if (stray) throw invalid([{ field: stray, message: 'is set but there are no items' }]);
  }
  const codeBytes = utf8Length(request.code);
  if (codeBytes > limits.maxCodeBytes) {
    tooLarge.push({ field: 'code', message: `${codeBytes} bytes exceeds the limit of ${limits.maxCodeBytes}` });
  }
  if (request.prebuild !== undefined && utf8Length(request.prebuild) > LIMITS.prebuildBytes) {
    tooLarge.push({ field: 'prebuild', message: `exceeds the limit of ${LIMITS.prebuildBytes} bytes` });
  }
  if (request.stdin !== undefined && utf8Length(request.stdin) > limits.maxInputsBytes) {
    tooLarge.push({ field: 'stdin', message: `exceeds the limit of ${limits.maxInputsBytes} bytes` });
  }
  let inputsJson: string;
  try {
    inputsJson = JSON.stringify(request.inputs);
  } catch (cause) {
    // A getter that throws or a toJSON of a library caller's object: not a value JSON can carry.
    throw new IsolaError('invalid_request', 'Invalid request: inputs', {
      issues: [{ field: 'inputs', message: `not JSON-serializable: ${(cause as Error).message}` }],
      cause,
    });
  }
  const inputsBytes = utf8Length(inputsJson);
  if (inputsBytes > limits.maxInputsBytes) {
    tooLarge.push({ field: 'inputs', message: `${inputsBytes} bytes serialized exceeds the limit of ${limits.maxInputsBytes}` });
  }
  if (tooLarge.length > 0) {
    throw new IsolaError('payload_too_large', `Too large: ${tooLarge.map((i) => i.field).join(', ')}`, {
      issues: tooLarge,
    });
  }
  Object.freeze(request.packages);
  Object.freeze(request.network.allow);
  Object.freeze(request.network);
  const result: ParsedExecuteRequest = Object.freeze({ request: Object.freeze(request), inputsJson, ...(typed.outputCheck ? { outputCheck: typed.outputCheck } : {}), ...(batch ? { batch } : {}) });
  accepted.set(result, limits);
  return result;
}

/**
 * prebuild_language says how to run `prebuild`: without a prebuild, or naming another language than
 * `code`'s, it means nothing; a shell prebuild runs only in the native lane, which runtime "wasm" forbids.
 */
function prebuildLanguageIssue(request: ExecuteRequest): FieldIssue | undefined {
  const language = request.prebuild_language;
  if (language !== undefined && request.prebuild === undefined) return { field: 'prebuild_language', message: 'is set but there is no prebuild' };
  const ecosystem = (name: string): string => (name === 'typescript' ? 'javascript' : name);
  if (language !== undefined && language !== 'bash' && ecosystem(language) !== ecosystem(request.language)) {
    return { field: 'prebuild_language', message: `must be "bash" or the language of code (${request.language}), got "${language}"` };
  }
  if (shellPrebuildOf(request) && request.runtime === 'wasm') {
    const field = language === undefined ? 'prebuild' : 'prebuild_language';
    return { field, message: 'a shell prebuild runs only in the native lane, which runtime "wasm" excludes; use runtime "auto" or "native"' };
  }
  return undefined;
}

/**
 * Ruby and wasm run only in the wasi lane, as they are: no packages, no prebuild, no native lane. A wasm
 * module is a command (`_start`), so it has no main() to call, and its `code` must be a module the lane
 * can run (wasm-module.ts), unless `module` names an uploaded one instead. Checked only under the size limit: a huge text is payload_too_large instead.
 */
function wasiLaneIssues(request: ExecuteRequest, limits: OperatorLimits): FieldIssue[] {
  if (request.module !== undefined && request.language !== 'wasm') return [{ field: 'module', message: `names an uploaded wasm module; language "${request.language}" runs \`code\`` }];
  if (request.language !== 'ruby' && request.language !== 'wasm') return [];
  const issues: FieldIssue[] = [];
  const language = request.language;
  if (request.packages.length > 0) issues.push({ field: 'packages', message: `${language} runs without packages in this version` });
  if (request.prebuild !== undefined) issues.push({ field: 'prebuild', message: `${language} has no prebuild in this version` });
  if (request.runtime === 'native') issues.push({ field: 'runtime', message: `${language} runs only in the wasi lane (runtime "auto" or "wasm")` });
  if (language === 'wasm') {
    if (request.entrypoint === 'main') issues.push({ field: 'entrypoint', message: 'a wasm module runs its _start; entrypoint "main" is for Python, JavaScript and Ruby' });
    if (request.module !== undefined) {
      // The module's bytes are the engine's to check, when it reads them from its blob store.
      if (request.code !== '') issues.push({ field: 'code', message: 'give the module either as base64 in `code` or as an uploaded blob in `module`, not both' });
    } else {
      const why = utf8Length(request.code) <= limits.maxCodeBytes ? wasmModuleIssue(request.code) : undefined;
      if (why) issues.push({ field: 'code', message: why });
    }
  }
  return issues;
}

/** `code` may be left out only when `module` names an uploaded module (whose language is checked later). */
function missingCodeIssue(body: unknown): FieldIssue | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  if (fields['code'] !== undefined || fields['module'] !== undefined) return undefined;
  return { field: 'code', message: 'Invalid input: expected string, received undefined (required unless `module` names an uploaded wasm module)' };
}

function invalid(issues: FieldIssue[]): IsolaError {
  const fields = [...new Set(issues.map((issue) => issue.field))].join(', ');
  return new IsolaError('invalid_request', `Invalid request: ${fields}`, { issues });
}
