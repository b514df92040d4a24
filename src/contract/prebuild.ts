/**
 * What language a request's prebuild is written in. By default it is the code's own language (run once
 * per environment like any execution); a shell prebuild (`prebuild_language: "bash"`, or a first line
 * `#!/bin/bash`, `#!/usr/bin/env bash`, `#!/bin/sh`) is a setup script for the native lane: it runs in
 * the sandbox with the environment's venv first on PATH. Portable: plain data in, plain data out.
 */
import * as z from 'zod';

export const PrebuildLanguageSchema = z
  .enum(['bash', 'python', 'javascript', 'typescript'])
  .describe('Language of `prebuild`: "bash" for a shell setup script (native lane), else the language of `code` (the default).');
export type PrebuildLanguage = z.infer<typeof PrebuildLanguageSchema>;

/** `#!/bin/bash`, `#!/usr/bin/bash`, `#!/bin/sh`, `#!/usr/bin/env bash` (options after it allowed). */
const SHELL_SHEBANG = /^#![ \t]*(?:(?:\/usr)?\/bin\/(?:ba)?sh|\/usr\/bin\/env[ \t]+(?:ba)?sh)(?:[ \t\r]|$)/;

/** True when the prebuild's first line names a shell as its interpreter. */
export function hasShellShebang(prebuild: string): boolean {
  const end = prebuild.indexOf('\n');
  return SHELL_SHEBANG.test(end < 0 ? prebuild : prebuild.slice(0, end));
}

/**
 * 'bash' when the request's prebuild is a shell script (said so, or by its first line), undefined when
 * it is code in the request's own language or there is no prebuild.
 */
export function shellPrebuildOf(request: { prebuild?: string | undefined; prebuild_language?: PrebuildLanguage | undefined }): 'bash' | undefined {
  if (request.prebuild === undefined) return undefined;
  if (request.prebuild_language !== undefined) return request.prebuild_language === 'bash' ? 'bash' : undefined;
  return hasShellShebang(request.prebuild) ? 'bash' : undefined;
}
