#!/usr/bin/env node
// The Debian/Ubuntu packages Isola's lanes need at run time, checked before `npm start` and by .ci/run:
// bubblewrap (the native lane's sandbox), python3 with venv (native environments), prlimit (per-job
// rlimits) and tzdata (Python's zoneinfo in the native lane). The Wasm lanes need none of them.
//
//   node scripts/system-packages.mjs           check; as root with apt-get, install what is missing
//   node scripts/system-packages.mjs --check   check only; print one line naming what to install
//   node scripts/system-packages.mjs --list    print the missing package names (for .ci/run)
//   node scripts/system-packages.mjs --all     print every package name (the Dockerfile's list is checked against it)
//
// Never fails the start: a machine without them still serves JavaScript and Python in the Wasm lanes,
// and the native lane reports itself unavailable in /readyz. Plain Node, no dependencies: it runs before
// `npm ci` has finished on a fresh machine. ISOLA_SKIP_SYSTEM_PACKAGES=1 skips it entirely.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const found = (command, args = ['--version']) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/** [package, is it there?] in the order apt should install them. */
const NEEDS = [
  ['bubblewrap', () => found('bwrap')],
  ['python3', () => found('python3')],
  ['python3-venv', () => found('python3', ['-c', 'import ensurepip, venv'])],
  ['util-linux', () => found('prlimit')],
  ['tzdata', () => existsSync('/usr/share/zoneinfo/Europe/Paris')],
];

function missingPackages() {
  return NEEDS.filter(([, present]) => !present()).map(([name]) => name);
}

function main(args) {
  if (args.includes('--all')) {
    process.stdout.write(`${NEEDS.map(([name]) => name).join(' ')}\n`);
    return 0;
  }
  if (process.env.ISOLA_SKIP_SYSTEM_PACKAGES === '1') return 0;
  let missing = missingPackages();
  if (args.includes('--list')) {
    if (missing.length > 0) process.stdout.write(`${missing.join(' ')}\n`);
    return 0;
  }
  if (missing.length === 0) return 0;
  const canInstall = !args.includes('--check') && process.getuid?.() === 0 && found('apt-get', ['--version']);
  if (canInstall) {
    process.stderr.write(`isola: installing ${missing.join(' ')} for the native lane (apt-get)\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (update.status === 0) spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
    missing = missingPackages();
    if (missing.length === 0) return 0;
  }
  process.stderr.write(`isola: the native lane stays off until you install ${missing.join(' ')} (sudo apt-get install -y ${missing.join(' ')}); the Wasm lanes work without them\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
