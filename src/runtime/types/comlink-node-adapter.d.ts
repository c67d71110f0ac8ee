// comlink ships node-adapter.d.ts next to node-adapter.mjs, but TypeScript does not map the
// .mjs specifier to it. This declares the same function for Node's MessagePort.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  import type { MessagePort, Worker } from 'node:worker_threads';
  export default function nodeEndpoint(nep: MessagePort | Worker): Endpoint;
}
