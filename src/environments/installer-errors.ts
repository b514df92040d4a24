/**
 * Turns an installer's output into the one line a user needs ("package not found: x"). npm is matched
 * on its error code line (`npm error code E404`), pip on its fixed `ERROR:` sentences; the raw output
 * is logged by the caller, never returned whole.
 */

const MAX_MESSAGE = 600;

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
}

function npmErrorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => /^npm (?:error|ERR!)\s?(.*)$/.exec(line)?.[1]?.trim())
    .filter((line): line is string => line !== undefined && line !== '' && !line.startsWith('A complete log'));
}

/** The one-line summary of a failed `npm install`. */
export function summarizeNpmError(stderr: string): string {
  const lines = npmErrorLines(stderr);
  const code = lines.find((line) => line.startsWith('code '))?.slice(5).trim();
  const body = lines.filter((line) => !line.startsWith('code ') && !line.startsWith('errno '));
  if (code === 'E404') {
    // "404 Not Found - GET https://registry.npmjs.org/@scope%2fname - Not found"
    const url = body.map((line) => / GET (\S+)/.exec(line)?.[1]).find((u) => u !== undefined);
    const fromUrl = url ? decodeURIComponent(url.split('/').slice(-1)[0] ?? '') : undefined;
    const quoted = body.map((line) => /'((?:@[^/'\s]+\/)?[^@'\s]+)@[^']*'/.exec(line)?.[1]).find((n) => n !== undefined);
    const name = quoted ?? fromUrl;
    return name ? `package not found: ${name}` : clip(`package not found (${body[0] ?? 'npm 404'})`);
  }
  if (code === 'ETARGET') {
    const wanted = body.map((line) => /No matching version found for (.+?)\.?$/.exec(line)?.[1]).find((w) => w !== undefined);
    return wanted ? `version not found: ${wanted}` : clip(`version not found (${body[0] ?? ''})`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
    return `npm registry unreachable (${code})`;
  }
  if (code === 'ERESOLVE') {
    return clip(`conflicting peer dependencies: ${body.slice(0, 4).join(' ')}`);
  }
  return clip(body.slice(0, 3).join(' ') || 'npm install failed');
}

export interface PipFailure {
  message: string;
  /** Normalized names pip could not satisfy (empty when the failure was something else). */
  unsatisfied: string[];
  /** True when pip saw some versions but none matched (version not found rather than no package). */
  versionNotFound: boolean;
}

const normalize = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

/** The summary of a failed `pip download`; `target` names the platform in messages ("this host"). */
export function summarizePipError(stderr: string, target: string): PipFailure {
  const lines = stderr.split('\n').map((line) => line.trim());
  // "ERROR: Could not find a version that satisfies the requirement numpy>=2 (from pandas) (from versions: none)"
  for (const line of lines) {
    const match = /^ERROR: Could not find a version that satisfies the requirement (.+?) \(from versions: (.*)\)$/.exec(line);
    if (!match) continue;
    const requirement = (match[1] ?? '').replace(/;.*$/, '').trim();
    const name = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(requirement)?.[0] ?? requirement;
    const versions = (match[2] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '' && v !== 'none');
    if (versions.length === 0) {
      return {
        message: `package not found: ${name} (no installable wheel for ${target}; Isola installs wheels only)`,
        unsatisfied: [normalize(name)],
        versionNotFound: false,
      };
    }
    return {
      message: clip(`version not found: ${requirement} (available for ${target}: ${versions.slice(-6).join(', ')})`),
      unsatisfied: [normalize(name)],
      versionNotFound: true,
    };
  }
  const conflict = lines.findIndex((line) => line.startsWith('The conflict is caused by:'));
  if (conflict !== -1) {
    const end = lines.findIndex((line, i) => i > conflict && line === '');
    const causes = lines.slice(conflict + 1, end === -1 ? conflict + 5 : Math.min(end, conflict + 5));
    return { message: clip(`conflicting requirements: ${causes.join('; ')}`), unsatisfied: [], versionNotFound: false };
  }
  const requiresPython = lines.find((line) => /requires a different Python/.test(line));
  if (requiresPython) {
    const name = /^ERROR: Package '([^']+)'/.exec(requiresPython)?.[1];
    return { message: clip(requiresPython.replace(/^ERROR:\s*/, '')), unsatisfied: name ? [normalize(name)] : [], versionNotFound: false };
  }
  const errors = lines.filter((line) => line.startsWith('ERROR:')).map((line) => line.slice(6).trim());
  return { message: clip(errors.slice(-2).join(' ') || 'pip failed'), unsatisfied: [], versionNotFound: false };
}
