/** Failures that belong to one item of a batch; anything else is the platform's and ends the batch. Portable. */
import type { RunError } from '../../contract/response.js';

export const ITEM_FAILURES: ReadonlySet<RunError['type']> = new Set<RunError['type']>(['exception', 'invalid_output', 'invalid_input', 'memory_limit', 'output_limit']);
