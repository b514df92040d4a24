#!/usr/bin/env node
// Lints the guest Python under runtimes/ and the Python client under clients/python with Ruff (ruff.toml). Uses the machine's Ruff when it has one;
// otherwise installs the pinned version with pip into node_modules/.cache (nothing global changes), so
// `npm run check` works on a fresh machine with Python and pip, as the README promises.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RUFF_VERSION = '0.17.6';
const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${root}node_modules/.cache/ruff-${RUFF_VERSION}`;
const run = (command, args, env = process.env) => spawnSync(command, args, { stdio: 'inherit', cwd: root, env });

const machine = spawnSync('python3', ['-m', 'ruff', '--version'], { stdio: 'ignore' });
let env = process.env;
if (machine.status !== 0) {
  if (!existsSync(target)) {
    const installed = run('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--root-user-action=ignore', '--target', target, `ruff==${RUFF_VERSION}`]);
    if (installed.status !== 0) {
      process.stderr.write(`lint-python: could not install ruff==${RUFF_VERSION} with pip\n`);
      process.exit(installed.status ?? 1);
    }
  }
  env = { ...process.env, PYTHONPATH: [target, process.env.PYTHONPATH].filter(Boolean).join(':') };
}
const checked = run('python3', ['-m', 'ruff', 'check', 'runtimes', 'clients/python'], env);
process.exit(checked.status ?? 1);
