/**
 * Child process serving the in-process and subprocess peers over plain node:http, so throughput is
 * measured over the same kind of socket as Isola's. POST /<peer> with {code, inputs}; the peer runs the
 * code's main(inputs) with fresh isolation and answers {output}.
 * Prints {"port": N} once listening; serves until its stdin closes.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { evalFresh, quickjsModule } from '../peers/quickjs-raw.js';
import { isolatedVmEvalFresh } from '../peers/isolated-vm.js';
import { vmEvalFresh } from '../peers/node-vm.js';
import { runPeer, type SubprocessPeer } from '../peers/subprocess.js';
import { expectSuccess } from '../process.js';
import { evalHarness } from '../workloads.js';

interface PeerRequest {
  code: string;
  inputs: Record<string, unknown>;
}

async function readBody(req: IncomingMessage): Promise<PeerRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as PeerRequest;
}

async function execute(peer: string, request: PeerRequest): Promise<unknown> {
  switch (peer) {
    case 'quickjs-raw':
      return JSON.parse(evalFresh(await quickjsModule(), evalHarness(request.code, request.inputs)));
    case 'node:vm':
      return JSON.parse(String(vmEvalFresh(evalHarness(request.code, request.inputs))));
    case 'isolated-vm':
      return JSON.parse(isolatedVmEvalFresh(evalHarness(request.code, request.inputs)));
    case 'python3':
    case 'bwrap+python3':
    case 'node -e':
      return JSON.parse(expectSuccess(peer, await runPeer(peer as SubprocessPeer, request.code, undefined, request.inputs)));
    default:
      throw new Error(`unknown peer ${peer}`);
  }
}

const server = createServer((req, res) => {
  const peer = decodeURIComponent((req.url ?? '/').slice(1));
  readBody(req)
    .then((request) => execute(peer, request))
    .then(
      (output) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ output }));
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(err) }));
      },
    );
});

server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
