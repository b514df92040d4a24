// Entry point of the native lane for JavaScript: `node runner.mjs /isola/job/job.json` inside bubblewrap.
//
// job.json (read-only, written by the host): { code, filename, mode: 'script'|'main', source_type:
// 'script'|'module', output_limit, inputs_path, item?: { index, json }, items_path?, prebuild_dir?,
// egress_socket?, egress_port?, egress_proxy_url? }. With `item` (one item of a batch) the code's
// execute(args, ctx) is called instead of main, through runtimes/shared/batch-item.js as in QuickJS. The host decides mode and source type with the same
// parser the QuickJS lane uses, so both lanes treat a code node alike.
//
// Conventions (as in the QuickJS lane): the cwd (/work, a private tmpfs) holds inputs.json, fd 0 is the
// inputs, `require`, `module`, `exports`, `__filename` and `__dirname` are globals. A classic script runs in
// the global scope (sloppy mode, so `function main` is global); module code (import/export, top-level
// await) is imported from a file under /tmp. In function mode, main is a global `main`, an export, or
// `module.exports.main`; it is called with the inputs object and awaited.
//
// The result goes to fd 3 as one JSON document, never to stdout, written from the 'exit' event so that
// process.exit(n) and uncaught errors are reported too. (fd 3 is a socket Node cannot mark close-on-exec;
// a process the code starts could write to it, which the code itself could do anyway: the host trusts
// fd 3 only for outcomes the guest can cause, see src/lanes/native/job-outcome.ts.)
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { createRequire, registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const resultFd = 3;
const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const inputsJson = fs.readFileSync(job.inputs_path, 'utf8');
const workdir = process.cwd();
if (job.prebuild_dir) fs.cpSync(job.prebuild_dir, workdir, { recursive: true }); // files the prebuild left
fs.writeFileSync('inputs.json', inputsJson);
const userFile = path.join(workdir, job.filename);
if (job.egress_socket) {
  startEgressForwarder(job.egress_socket, job.egress_port);
  // The URL holds the job's token: it comes in the job file, not on any command line.
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) process.env[name] = job.egress_proxy_url;
  // Node's fetch and http/https ignore those variables unless started with --use-env-proxy, which would
  // put the token in the environment at launch; this turns the same support on now, for fetch,
  // http.request and every client built on them (node-fetch, got, axios, ky). A client that dials
  // sockets itself still reaches only the forwarder: the sandbox has no other network.
  // The forwarder itself is reached directly: code that speaks to the proxy by hand must not be proxied twice.
  http.setGlobalProxyFromEnv({ HTTP_PROXY: job.egress_proxy_url, HTTPS_PROXY: job.egress_proxy_url, NO_PROXY: `127.0.0.1:${job.egress_port}` });
}
process.argv = [process.argv[0], userFile];

const state = { returnJson: null, failure: null, written: false };
const moduleFile = path.join('/tmp/.isola', job.filename.replace(/\.[cm]?[jt]s$/, '') + '.mjs');

process.on('uncaughtException', (error) => fail(error));
process.on('unhandledRejection', (reason) => fail(reason));
process.on('exit', (code) => writeResult(code));

/** 127.0.0.1:port -> the host's egress proxy socket (the sandbox's only way out; see native-egress.ts). */
function startEgressForwarder(socketPath, port) {
  const server = net.createServer((client) => {
    const upstream = net.connect(socketPath);
    // Only the user's own handles may keep the process alive, not our half of their connections.
    client.unref();
    upstream.unref();
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.listen(port, '127.0.0.1');
  server.unref(); // the forwarder alone must not keep a finished script alive
}

function fail(error) {
  if (state.failure === null) {
    const [message, stack] = describeError(error);
    // The address-space rlimit makes a big ArrayBuffer fail with this RangeError, not an abort.
    const outOfMemory = error instanceof RangeError && /Array buffer allocation failed/.test(error.message);
    state.failure = { type: outOfMemory ? 'memory_limit' : 'exception', message, traceback: stack };
    process.stderr.write(stack + '\n');
  }
  process.exit(1);
}

function writeResult(code) {
  if (state.written) return;
  state.written = true;
  const result = { mode: job.mode, exit_code: state.failure ? 1 : code, return_json: state.returnJson, failure: state.failure, ...readOutputFile() };
  const bytes = Buffer.from(JSON.stringify(result), 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(resultFd, bytes, offset);
  fs.closeSync(resultFd);
}

function readOutputFile() {
  const file = path.join(workdir, 'output.json');
  let size;
  try {
    size = fs.statSync(file).size;
  } catch {
    return {};
  }
  if (size > job.output_limit) return { output_file_bytes: size };
  try {
    const text = fs.readFileSync(file, 'utf8');
    return { output_file_bytes: size, output_file_text: text };
  } catch {
    return {};
  }
}

/** [message, stack] of a thrown value, with Isola's and Node's internal frames left out. */
function describeError(error) {
  if (error !== null && typeof error === 'object' && 'message' in error && 'name' in error) {
    const head = String(error.name || 'Error') + ': ' + String(error.message);
    const raw = typeof error.stack === 'string' ? error.stack : head;
    const moduleUrl = pathToFileURL(moduleFile).href;
    const lines = raw
      .split('\n')
      .filter((line) => !/^\s+at /.test(line) || !/(runner\.mjs|node:internal|node:vm|\(node:)/.test(line))
      .map((line) => line.split(moduleUrl).join(job.filename).split(moduleFile).join(job.filename));
    return [head, lines.join('\n')];
  }
  let text;
  try {
    text = typeof error === 'string' ? error : JSON.stringify(error);
  } catch {
    text = String(error);
  }
  return ['Uncaught ' + text, 'Uncaught ' + text];
}

/** A guest helper shared with the QuickJS lane (runtimes/shared/), evaluated like QuickJS does. */
function sharedLib(name) {
  const source = fs.readFileSync(new URL(`../shared/${name}.js`, import.meta.url), 'utf8');
  return vm.runInThisContext(source, { filename: `${name}.js` })({});
}

/** Why a value is not JSON: the first offending path, from the explainer the QuickJS lane loads too. */
function explain(value, error) {
  try {
    return sharedLib('explain-json').explain(value, error).message;
  } catch (failure) {
    // The walk itself can fail (a value nested deeper than the stack): still a typed answer.
    return `output: cannot be serialized to JSON (${describeError(failure)[0]})`;
  }
}

// The project-data SDK, as in the QuickJS lane and from the same files (runtimes/quickjs/lib/): `require`
// and `import` of 'isola' and '@intellectible/execution-sdk'. It calls http://isola.internal through the
// global fetch, which goes through the egress proxy like every other request of the sandbox.
const SDK_MODULES = { isola: 'project_data', '@intellectible/execution-sdk': 'intellectible_sdk' };
const sdkDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'quickjs', 'lib');
const sdkLibs = {};
function sdkLib(name) {
  if (name === 'fetch') return { fetch: (...args) => globalThis.fetch(...args) };
  if (name !== 'project_data' && name !== 'intellectible_sdk') throw new Error(`isola: no runtime library "${name}"`);
  sdkLibs[name] ??= vm.runInThisContext(fs.readFileSync(path.join(sdkDir, `${name}.js`), 'utf8'), { filename: `isola:${name}.js` })({ lib: sdkLib });
  return sdkLibs[name];
}
function guestRequire(userRequire) {
  const wrapped = (id) => (Object.hasOwn(SDK_MODULES, id) ? sdkLib(SDK_MODULES[id]) : userRequire(id));
  return Object.assign(wrapped, { resolve: userRequire.resolve, cache: userRequire.cache, extensions: userRequire.extensions, main: userRequire.main });
}
registerHooks({
  resolve: (specifier, context, next) => (Object.hasOwn(SDK_MODULES, specifier) ? { url: `isola-sdk:${specifier}`, shortCircuit: true } : next(specifier, context)),
  load: (url, context, next) => {
    if (!url.startsWith('isola-sdk:')) return next(url, context);
    const specifier = url.slice('isola-sdk:'.length);
    const names = Object.keys(sdkLib(SDK_MODULES[specifier])).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key));
    const source = `const m = globalThis.__isolaSdk(${JSON.stringify(specifier)});\nexport default m;\nexport const { ${names.join(', ')} } = m;\n`;
    return { format: 'module', source, shortCircuit: true };
  },
});
Object.defineProperty(globalThis, '__isolaSdk', { value: (specifier) => sdkLib(SDK_MODULES[specifier]) });

async function run() {
  const module = { exports: {}, id: '.', filename: userFile, loaded: false };
  Object.assign(globalThis, {
    require: guestRequire(createRequire(userFile)),
    module,
    exports: module.exports,
    __filename: userFile,
    __dirname: workdir,
  });
  let namespace;
  if (job.source_type === 'module') {
    fs.mkdirSync(path.dirname(moduleFile), { recursive: true });
    fs.writeFileSync(moduleFile, job.code);
    namespace = await import(pathToFileURL(moduleFile).href);
  } else {
    vm.runInThisContext(job.code, { filename: job.filename, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  }
  if (job.mode !== 'main') return; // a script ends when its event loop is empty
  const entry = job.item ? 'execute' : 'main';
  const main = findMain(namespace, module, entry);
  if (typeof main !== 'function') {
    const message = job.item ? 'items were given but the code defines no execute(args, ctx) function' : 'entrypoint "main" was requested but the code defines no main function';
    state.failure = { type: 'exception', message, traceback: null };
    process.exit(1);
  }
  let value;
  if (job.item) {
    const outbox = '/tmp/isola-outbox'; // a scratch directory the host copies out after the item
    const files = {
      read: (name) => new Uint8Array(fs.readFileSync(`/data/binary/${job.item.index}/${name}`)),
      write: (name, bytes) => fs.writeFileSync(path.join(outbox, name), bytes),
    };
    const call = sharedLib('batch-item').begin(job.item.json, job.item.index, () => fs.readFileSync(job.items_path, 'utf8'), files);
    value = call.report(await main(call.args, call.ctx));
  } else {
    value = await main(JSON.parse(inputsJson));
  }
  let text;
  try {
    text = value === undefined ? 'null' : (JSON.stringify(value) ?? 'null');
  } catch (error) {
    state.failure = { type: 'invalid_output', message: explain(value, error), traceback: null };
    process.exit(1);
  }
  if (Buffer.byteLength(text, 'utf8') > job.output_limit) {
    const message = `main() returned ${Buffer.byteLength(text, 'utf8')} bytes of JSON, over the output limit of ${job.output_limit} bytes`;
    state.failure = { type: 'output_limit', message, traceback: null };
    process.exit(1);
  }
  state.returnJson = text;
  process.exit(0); // function mode ends when main settles; leftover timers do not hold the answer
}

/** main (or a batch item's execute): a global, an export, the name planning exported it under, or module.exports. */
function findMain(namespace, module, entry) {
  if (typeof globalThis[entry] === 'function') return globalThis[entry];
  const lexical = vm.runInThisContext(`typeof ${entry} === "function" ? ${entry} : undefined`);
  if (typeof lexical === 'function') return lexical;
  if (namespace && typeof namespace[entry] === 'function') return namespace[entry];
  const privateName = entry === 'main' ? '__isolaMain' : '__isolaExecute';
  if (namespace && typeof namespace[privateName] === 'function') return namespace[privateName];
  if (namespace?.default && typeof namespace.default[entry] === 'function') return namespace.default[entry];
  const exported = module.exports;
  if (exported && typeof exported[entry] === 'function') return exported[entry];
  if (typeof exported === 'function' && exported.name === entry) return exported;
  return undefined;
}

run().catch(fail);
