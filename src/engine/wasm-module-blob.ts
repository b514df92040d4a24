/**
 * `module: { id }`: a WASI module uploaded with POST /v1/blobs, looked up and checked before anything runs.
 * The store verified the bytes' SHA-256 and its own size cap when they arrived; here they meet the wasm
 * lane's cap and the same shape check as base64 in `code` (src/contract/wasm-module.ts). A blob never
 * changes (its id is its hash), so an id checked once is not read again; the worker reads the bytes by path
 * only when it has no compiled copy of them.
 */
import { readFile } from 'node:fs/promises';
import { IsolaError } from '../contract/errors.js';
import { LIMITS } from '../contract/limits.js';
import { wasmBytesIssue } from '../contract/wasm-module.js';
import type { WasmModuleBlob } from '../lanes/lane.js';
import type { EngineBlobs } from './types.js';

const FIELD = 'module.id';
/** Ids checked already (content addresses: the answer cannot change), most recent last. */
const MAX_CHECKED = 256;

/** The module `id` as `owner` (the execution's project, or the open owner) holds it. */
export type WasmModuleResolver = (owner: string, id: string) => Promise<WasmModuleBlob>;

export function createWasmModuleResolver(blobs: EngineBlobs, maxBytes: number = LIMITS.wasmModuleBytes): WasmModuleResolver {
  const checked = new Set<string>();
  return async (owner, id) => {
    // Per owner, like every blob lookup; the shape check below is of the bytes, so its cache is shared.
    const blob = await blobs.stat(owner, id);
    if (!blob) {
      throw new IsolaError('blob_not_found', `No blob ${id.slice(0, 80)} (${FIELD})`, { issues: [{ field: FIELD, message: "names no blob of this project's; upload the module with POST /v1/blobs" }] });
    }
    if (blob.size > maxBytes) {
      throw new IsolaError('payload_too_large', `Too large: ${FIELD}`, { issues: [{ field: FIELD, message: `the module is ${blob.size} bytes, over the limit of ${maxBytes} for a wasm module` }] });
    }
    if (checked.has(blob.id)) {
      checked.delete(blob.id);
    } else {
      const issue = wasmBytesIssue(new Uint8Array(await readFile(blob.path)));
      if (issue) throw new IsolaError('invalid_request', `Invalid request: ${FIELD}`, { issues: [{ field: FIELD, message: `the uploaded blob ${issue}` }] });
    }
    checked.add(blob.id);
    while (checked.size > MAX_CHECKED) checked.delete(checked.values().next().value as string);
    return { id: blob.id, path: blob.path, size: blob.size };
  };
}
