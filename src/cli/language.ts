/** Which language a file holds, by its extension: the CLI's default when --lang is not given. */
import { extname } from 'node:path';
import type { Language } from '../contract/request.js';

const BY_EXTENSION: Record<string, Language> = {
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.py': 'python',
  '.rb': 'ruby',
  '.wasm': 'wasm',
};

export const KNOWN_EXTENSIONS = Object.keys(BY_EXTENSION);

export function languageOfFile(path: string): Language | undefined {
  return BY_EXTENSION[extname(path).toLowerCase()];
}
