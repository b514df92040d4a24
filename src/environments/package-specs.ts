/**
 * Validation of package specs before any installer sees them. Only registry specs are accepted:
 * a name and an optional version range. Everything else (paths, URLs, git, `file:`, npm aliases,
 * options such as "--index-url=...", shell metacharacters, PEP 508 markers) is rejected here, so a spec
 * can never become an installer option or a source other than the configured registry. Installers are
 * also spawned with argv arrays and a `--` separator; this is the first of the two fences.
 *
 * Portable: no `node:` imports.
 */

export type SpecEcosystem = 'npm' | 'pip';

export interface ParsedSpec {
  /** Canonical spec text handed to the installer (normalized name, no stray whitespace). */
  raw: string;
  /** Package name; for pip the PEP 503 normalized form. */
  name: string;
  /** Version range text ('' when none). */
  range: string;
  /** True when the spec names one exact version, so its resolution never changes. */
  pinned: boolean;
}

export type SpecCheck = { ok: true; specs: ParsedSpec[] } | { ok: false; spec: string; message: string };

// npm: lowercase URL-safe names, optionally scoped; must start with a letter, digit or '@scope/'.
const NPM_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
// A semver range or dist-tag: starts with a version, operator, wildcard or tag letter (never '-').
const NPM_RANGE = /^[0-9A-Za-z^~<>=*][0-9A-Za-z.^~<>=*|+ -]*$/;
const NPM_EXACT = /^=?v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

// pip (PEP 508 without URLs and markers): name, optional extras, optional comma-separated specifiers.
const PIP_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const PIP_EXTRAS = /^\[\s*[A-Za-z0-9][A-Za-z0-9._-]*(?:\s*,\s*[A-Za-z0-9][A-Za-z0-9._-]*)*\s*\]$/;
const PIP_CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*([0-9A-Za-z.*+!_-]+)$/;
const PIP_EXACT_VERSION = /^[0-9][0-9A-Za-z.+!_-]*$/;

const MAX_SPEC_CHARS = 256;
// Installers read a name ending like an archive as a local file (npm-package-arg, pip's is_archive_file).
const ARCHIVE_SUFFIX = /\.(?:whl|zip|tgz|tar|tar\.gz|tar\.bz2|tar\.xz|tbz|txz|egg)$/i;

export function normalizePipName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function reject(spec: string, message: string): SpecCheck {
  return { ok: false, spec, message: `invalid package spec ${JSON.stringify(spec)}: ${message}` };
}

function parseNpm(raw: string): ParsedSpec | string {
  // The version separator is the last '@' that is not the scope's leading one.
  const at = raw.indexOf('@', 1);
  const name = at === -1 ? raw : raw.slice(0, at);
  const range = at === -1 ? '' : raw.slice(at + 1).trim();
  if (!NPM_NAME.test(name) || name.length > 214 || ARCHIVE_SUFFIX.test(name)) {
    return 'expected an npm package name such as "lodash" or "@scope/pkg" (paths, URLs, git and aliases are not accepted)';
  }
  if (at !== -1 && (!NPM_RANGE.test(range) || ARCHIVE_SUFFIX.test(range))) {
    return 'expected a version range after "@", e.g. "lodash@4.17.21" or "lodash@^4"';
  }
  return { raw: range === '' ? name : `${name}@${range}`, name, range, pinned: NPM_EXACT.test(range) };
}

function parsePip(raw: string): ParsedSpec | string {
  const match = /^([^\s[<>=!~,]+)\s*(\[[^\]]*\])?\s*(.*)$/.exec(raw);
  const name = match?.[1] ?? '';
  if (!PIP_NAME.test(name) || ARCHIVE_SUFFIX.test(name)) {
    return 'expected a PyPI project name such as "requests" (paths, URLs, options and VCS links are not accepted)';
  }
  const extras = match?.[2];
  if (extras !== undefined && !PIP_EXTRAS.test(extras)) return 'malformed extras';
  const rest = (match?.[3] ?? '').trim();
  let pinned = false;
  if (rest !== '') {
    const clauses = rest.split(',').map((clause) => clause.trim());
    for (const clause of clauses) {
      const parsed = PIP_CLAUSE.exec(clause);
      if (!parsed) return `malformed version specifier ${JSON.stringify(clause)} (markers and URLs are not accepted)`;
    }
    const only = clauses.length === 1 ? PIP_CLAUSE.exec(clauses[0] ?? '') : null;
    pinned = only !== null && (only[1] === '==' || only[1] === '===') && PIP_EXACT_VERSION.test(only[2] ?? '') && !only[2]?.includes('*');
  }
  const normalized = normalizePipName(name);
  const canonical = normalized + (extras ? extras.replace(/\s+/g, '').toLowerCase() : '') + rest.replace(/\s+/g, '');
  return { raw: canonical, name: normalized, range: rest.replace(/\s+/g, ''), pinned };
}

/** Check every spec of a request; the first bad one is reported. Duplicated names are rejected. */
export function checkPackageSpecs(ecosystem: SpecEcosystem, specs: readonly string[]): SpecCheck {
  const parsed: ParsedSpec[] = [];
  const seen = new Set<string>();
  for (const original of specs) {
    const raw = original.trim();
    if (raw === '') return reject(original, 'empty');
    if (raw.length > MAX_SPEC_CHARS) return reject(original, `longer than ${MAX_SPEC_CHARS} characters`);
    // Control characters are never part of a name or range; refuse them before anything else looks.
    if (/[\u0000-\u001f\u007f]/.test(raw)) return reject(original, 'contains control characters');
    const result = ecosystem === 'npm' ? parseNpm(raw) : parsePip(raw);
    if (typeof result === 'string') return reject(original, result);
    if (seen.has(result.name)) return reject(original, `package ${result.name} is listed twice`);
    seen.add(result.name);
    parsed.push(result);
  }
  return { ok: true, specs: parsed };
}
