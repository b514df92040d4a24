/**
 * A batch (request `items`): one lane execution per item, so each item starts from the same fresh
 * interpreter state as a single execution, spread over the lane's workers at most `concurrency` at a
 * time (a batch never fills the shared queue). Planning, routing and the environment were done once
 * for the whole batch by the caller; this loop only dispatches, collects and merges. Portable.
 *
 * Failures: what the code did wrong in one item (an exception, a bad return value, its memory limit)
 * is that item's error; with continue_on_fail the others still run, else no further item starts and
 * the lowest failing index fails the execution. What the platform stopped (the batch's deadline, a
 * cancel, an internal failure) always ends the whole batch.
 */
import { IsolaError } from '../../contract/errors.js';
import type { BlobInfo, Item, ItemError } from '../../contract/items.js';
import { utf8Length } from '../../contract/limits.js';
import type { ItemInputViolation, OutputCheck } from '../../contract/typed-io.js';
import { OUTBOX_ID_PREFIX, type BatchAttachment, type BatchItemJob, type GuestFailure, type GuestResult } from '../../lanes/lane.js';
import { StreamCapture } from '../../lanes/stream-capture.js';
import type { Dispatched, ItemListener } from '../scheduler.js';
import { ITEM_FAILURES } from './item-failures.js';
import { ItemOutputError, outputItemsOf, type ItemPorts } from './item-output.js';

/** Most items one dispatch carries to a worker (GuestJob.chunk); fewer near the end, so workers finish together. */
const MAX_CHUNK = 32;

export interface BatchRun {
  itemJsons: readonly string[];
  itemsJson: string;
  items: readonly Item[];
  continueOnFail: boolean;
  emptyBatch: 'skip' | 'run_once';
  concurrency: number;
  streamBytes: number;
  outputBytes: number;
  /** The request's output_schema and output_guards, held to each output item's json (not to `output`, which a batch leaves null). */
  outputCheck?: OutputCheck;
  /** By item index: why its json fails input_schema. Such an item is not run: it is its own `invalid_input` error. */
  inputViolations?: readonly (ItemInputViolation | undefined)[];
  /** Each item's attachments, resolved in the blob store (by item index). */
  inputBinary?: readonly (BatchAttachment[] | undefined)[];
  /** Stores the bytes of an attachment a guest made (ctx.binary.attach); without it, attaching is an item error. */
  storeAttachment?: (bytes: Uint8Array, mimeType: string | undefined) => Promise<BlobInfo>;
  /** Whether runItems takes several items at once (the lane runs chunk jobs); else one item per call. */
  chunked: boolean;
  /**
   * Dispatch items as one lane job (a chunk, or one item), the items' captured streams and return values
   * capped together by `budget`; `onItem` gets each item's result as it is done. Items the job ended
   * without reporting did not run, except the first of them when the job's own result is a failure.
   */
  runItems(items: BatchItemJob[], budget: { stdoutBytes: number; stderrBytes: number; outputBytes: number }, onItem: ItemListener): Promise<Dispatched>;
}

export interface BatchOutcome {
  /** The batch as one lane result (streams of all items in index order, the failure that ended it). */
  result: GuestResult;
  queueMs: number;
  items: ItemPorts;
  errors: ItemError[];
  /** The item error that failed the execution (continue_on_fail off), when it was an item's and not the platform's. */
  failedBy?: ItemError;
}

interface Done {
  result: GuestResult;
  ports?: ItemPorts;
  error?: ItemError;
}

export async function runBatch(run: BatchRun): Promise<BatchOutcome> {
  const runOnce = run.itemJsons.length === 0 && run.emptyBatch === 'run_once';
  const itemJsons = runOnce ? ['{"json":{}}'] : run.itemJsons;
  const itemsBytes = sharedUtf8(runOnce ? '[]' : run.itemsJson);
  const done: (Done | undefined)[] = [];
  let stopped = false;
  let platform: { index: number; failure: GuestFailure; exitCode: number } | undefined;
  let outputBytes = 0;
  let queueMs = 0;
  const streamed = { stdout: 0, stderr: 0 };

  /** One item's result: settled into output items or its error, and what it means for the rest of the batch. */
  const handle = async (index: number, result: GuestResult) => {
    streamed.stdout += utf8Length(result.stdout);
    streamed.stderr += utf8Length(result.stderr);
    const entry = await settle(index, result, run.items[index], run);
    done[index] = entry;
    if (entry.error === undefined && result.failure && !ITEM_FAILURES.has(result.failure.type)) {
      if (!platform || index < platform.index) platform = { index, failure: result.failure, exitCode: result.exitCode };
      stopped = true;
    }
    if (entry.error && !run.continueOnFail) stopped = true;
    if (result.returnJson !== undefined) outputBytes += utf8Length(result.returnJson);
    if (outputBytes > run.outputBytes && !platform) {
      platform = { index, failure: { type: 'output_limit', message: `the items' output is over ${run.outputBytes} bytes; the limit is ${run.outputBytes}` }, exitCode: 1 };
      stopped = true;
    }
  };
  const waiting: number[] = [];
  for (const [index] of itemJsons.entries()) {
    const violation = runOnce ? undefined : run.inputViolations?.[index];
    if (!violation) waiting.push(index);
    else done[index] = { result: refusedInput(violation), error: { index, type: 'invalid_input', ...violation } };
  }
  // The first failing item fails the execution: known before anything runs, nothing runs.
  if (waiting.length < itemJsons.length && !run.continueOnFail) stopped = true;
  const workers = Math.min(Math.max(1, run.concurrency), Math.max(1, waiting.length));
  const worker = async () => {
    while (!stopped && waiting.length > 0) {
      const size = run.chunked ? Math.max(1, Math.min(MAX_CHUNK, Math.floor(waiting.length / (workers * 2)))) : 1;
      const indexes = waiting.splice(0, size);
      const reported = new Set<number>();
      const handled: Promise<void>[] = [];
      const jobs = indexes.map((index): BatchItemJob => {
        const binary = run.inputBinary?.[index];
        return { index, itemJson: itemJsons[index]!, itemsBytes, ...(binary ? { binary } : {}) };
      });
      const budget = { stdoutBytes: Math.max(0, run.streamBytes - streamed.stdout), stderrBytes: Math.max(0, run.streamBytes - streamed.stderr), outputBytes: Math.max(0, run.outputBytes - outputBytes) };
      const dispatched = await run.runItems(jobs, budget, (at, result) => {
        const index = indexes[at];
        if (index === undefined || reported.has(at)) return;
        reported.add(at);
        handled.push(handle(index, result));
      });
      queueMs = Math.max(queueMs, dispatched.queueMs);
      await Promise.all(handled);
      const unreported = indexes.filter((_, at) => !reported.has(at));
      // The job ended without a word on these: its failure (a worker that died, a deadline past its grace)
      // is the first one's, and the others never started.
      const first = unreported[0];
      if (first !== undefined && dispatched.result.failure) {
        unreported.shift();
        await handle(first, dispatched.result);
      }
      if (!stopped) waiting.unshift(...unreported);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));

  const stdout = new StreamCapture(run.streamBytes);
  const stderr = new StreamCapture(run.streamBytes);
  let stdoutTruncated = false;
  let stderrTruncated = false;
  let setupMs = 0;
  let runMs = 0;
  let cache: GuestResult['cache'] = 'hit';
  const errors: ItemError[] = [];
  const ports: ItemPorts = {};
  for (const entry of done) {
    if (!entry) continue;
    stdout.write(entry.result.stdout);
    stderr.write(entry.result.stderr);
    stdoutTruncated ||= entry.result.stdoutTruncated;
    stderrTruncated ||= entry.result.stderrTruncated;
    setupMs += entry.result.setupMs;
    runMs += entry.result.runMs;
    if (entry.result.cache === 'miss') cache = 'miss';
    if (entry.error) errors.push(entry.error);
    for (const [port, list] of Object.entries(entry.ports ?? {})) (ports[port] ??= []).push(...list);
  }
  const base = { mode: 'main' as const, stdout: stdout.text(), stderr: stderr.text(), stdoutTruncated: stdoutTruncated || stdout.truncated, stderrTruncated: stderrTruncated || stderr.truncated, cache, setupMs, runMs };
  const failed = errors[0];
  if (platform) {
    const failure = { ...platform.failure, message: `item ${platform.index}: ${platform.failure.message}` };
    return { result: { ...base, exitCode: platform.exitCode, failure }, queueMs, items: {}, errors };
  }
  if (failed && !run.continueOnFail) {
    const failure: GuestFailure = { type: failed.type as GuestFailure['type'], message: `item ${failed.index}: ${failed.message}`, ...(failed.traceback ? { traceback: failed.traceback } : {}) };
    return { result: { ...base, exitCode: done[failed.index]?.result.exitCode || 1, failure }, queueMs, items: {}, errors, failedBy: failed };
  }
  if (!ports['main']) ports['main'] = [];
  return { result: { ...base, exitCode: 0 }, queueMs, items: ports, errors };
}

/** The lane result of an item that did not run because its json fails input_schema. */
function refusedInput(violation: ItemInputViolation): GuestResult {
  return { exitCode: 1, mode: 'main', stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false, failure: { type: 'invalid_input', message: violation.message }, cache: 'hit', setupMs: 0, runMs: 0 };
}

/** One item's lane result, as output items or that item's error. */
async function settle(index: number, result: GuestResult, input: Item | undefined, run: Pick<BatchRun, 'storeAttachment' | 'outputCheck'>): Promise<Done> {
  const failure = result.failure;
  if (failure) {
    if (!ITEM_FAILURES.has(failure.type)) return { result };
    return { result, error: { index, type: failure.type, message: failure.message, ...(failure.traceback ? { traceback: failure.traceback } : {}) } };
  }
  if (result.exitCode !== 0) return { result, error: { index, type: 'exception', message: `execute() exited with code ${result.exitCode}` } };
  if (result.returnJson === undefined) return { result, ports: {} };
  try {
    const ports = outputItemsOf(result.returnJson, index, input?.binary ? { binary: input.binary } : {});
    const violation = run.outputCheck && firstViolation(ports, run.outputCheck);
    if (violation) return { result, error: { index, type: 'invalid_output', ...violation } };
    await storeAttachments(ports, result.attachments ?? [], run.storeAttachment);
    return { result, ports };
  } catch (error) {
    // The project's blob quota (or the blob size cap) refused an attachment: this item's output is too large.
    if (error instanceof IsolaError && (error.code === 'blob_quota_exceeded' || error.code === 'payload_too_large')) return { result, error: { index, type: 'output_limit', message: `ctx.binary.attach: ${error.message}` } };
    if (!(error instanceof ItemOutputError)) throw error;
    return { result, error: { index, type: 'invalid_output', message: error.message } };
  }
}

/** The first output item (ports in emission order, items in order) whose json fails the request's output checks. */
function firstViolation(ports: ItemPorts, check: OutputCheck): { message: string; pointer: string; rule: string } | undefined {
  for (const [port, items] of Object.entries(ports)) {
    for (const [at, item] of items.entries()) {
      const violation = check(item.json);
      if (!violation) continue;
      const where = violation.pointer === '' ? '' : ` ${violation.pointer}`;
      return { message: `output item ${port}[${at}]${where}: ${violation.message}`, pointer: violation.pointer, rule: violation.rule };
    }
  }
  return undefined;
}

/**
 * Replaces every `{id: "outbox:<name>"}` reference of the item's output by the blob the guest's bytes
 * became (each attachment stored once, however often it is referenced).
 */
async function storeAttachments(ports: ItemPorts, attachments: readonly { name: string; bytes: Uint8Array }[], store: BatchRun['storeAttachment']): Promise<void> {
  const stored = new Map<string, Promise<BlobInfo>>();
  for (const items of Object.values(ports)) {
    for (const item of items) {
      for (const [key, ref] of Object.entries(item.binary ?? {})) {
        if (!ref.id.startsWith(OUTBOX_ID_PREFIX)) continue;
        const name = ref.id.slice(OUTBOX_ID_PREFIX.length);
        const attachment = attachments.find((candidate) => candidate.name === name);
        if (!attachment) throw new ItemOutputError(`binary.${key}: no attachment "${name}" was made with ctx.binary.attach`);
        if (!store) throw new ItemOutputError(`binary.${key}: this engine has no blob store for attachments`);
        let info = stored.get(name);
        if (!info) stored.set(name, (info = store(attachment.bytes, ref.mime_type)));
        const blob = await info;
        item.binary![key] = { id: blob.id, size: blob.size, mime_type: blob.mime_type, ...(ref.filename !== undefined ? { filename: ref.filename } : {}) };
      }
    }
  }
}

/** UTF-8 bytes every job of the batch shares: worker threads get the same memory, not a copy each. */
function sharedUtf8(text: string): Uint8Array {
  const encoded = new TextEncoder().encode(text);
  if (typeof SharedArrayBuffer !== 'function') return encoded;
  const shared = new Uint8Array(new SharedArrayBuffer(encoded.byteLength));
  shared.set(encoded);
  return shared;
}
