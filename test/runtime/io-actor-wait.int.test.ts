/**
 * An actor that owns I/O never blocks its event loop waiting on a ring: on a real worker whose
 * only input is a ring, its socket is served while no ring message arrives, and ring messages
 * still wake it. The actor is given a blocking park far longer than the test's bound, so a
 * thread that blocked in Atomics.wait would miss the echo and fail the test, not just be slow.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { withTimeout } from '../../src/base/async.js';
import { parseGraphConfig } from '../../src/runtime/graph/graph-config.js';
import { Supervisor } from '../../src/runtime/supervision/supervisor.js';
import { ECHOED, HANDLED } from '../fixtures/actors/io-echo.js';
import { waitForCell } from '../helpers/workers.js';

const FIXTURES = 'test/fixtures/actors';
/** Longer than any bound below: a blocking park this long cannot pass for a slow wake-up. */
const LONG_PARK_MS = 120_000;
const BOUND_MS = 20_000;

let supervisor: Supervisor | undefined;
let server: Server | undefined;

afterEach(async () => {
  await supervisor?.stop();
  supervisor = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/**
 * Echoes every chunk, `holdMs` after it came: long enough for the actor to have parked after
 * writing it, so the echo lands on a parked actor. Correct code passes whatever the hold is;
 * it only keeps a blocking park from being lucky.
 */
async function echoServer(holdMs: number): Promise<number> {
  server = createServer((socket) => socket.on('data', (chunk) => setTimeout(() => socket.write(chunk), holdMs)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** A producer sending `count` Probes to the I/O actor over a ring; progress in `cells`. */
async function startGraph(count: number, burst: number, holdMs = 0): Promise<Int32Array> {
  const port = await echoServer(holdMs);
  const cells = new Int32Array(new SharedArrayBuffer(8));
  supervisor = await Supervisor.start(
    parseGraphConfig({
      actors: [
        { id: 'producer', module: `${FIXTURES}/probe-producer.ts`, params: { count, burst } },
        {
          id: 'io',
          module: `${FIXTURES}/io-echo.ts`,
          params: { port, cells: cells.buffer },
          ownsIo: true,
          wait: { strategy: 'spin-then-park', blockingParkMs: LONG_PARK_MS, parkTimeoutMs: LONG_PARK_MS },
        },
      ],
      channels: [{ from: 'producer.out', to: ['io.in'] }],
    }),
  );
  return cells;
}

const reach = (cells: Int32Array, index: number, target: number, what: string): Promise<void> =>
  withTimeout(waitForCell(cells, index, target), BOUND_MS, () => new Error(`${what}: cell ${index} is ${Atomics.load(cells, index)}, expected ${target}`));

describe('an actor that owns I/O, on a worker whose input is a ring', () => {
  it('serves its socket while its ring is idle: the echoes of the bytes it wrote come back with no ring message to wake it', async () => {
    // Two Probes a timer tick apart, so the actor is in its busy window when its ring goes idle.
    const cells = await startGraph(2, 1, 50);
    await reach(cells, HANDLED, 2, 'both Probes handled');
    // Nothing more arrives on the ring: only the event loop can deliver the echoes.
    await reach(cells, ECHOED, 2, 'the echoes read while the ring is idle');
  });

  it('ring messages still wake it from its event-loop park: every Probe is handled and echoed', async () => {
    const count = 2_000;
    const cells = await startGraph(count, 50);
    await reach(cells, HANDLED, count, 'every Probe handled');
    await reach(cells, ECHOED, count, 'every byte echoed');
    // It did park between bursts (one burst per millisecond timer tick) and was woken by the ring.
    const status = await supervisor!.actorStatus('io');
    expect(status.actor?.wait.parks).toBeGreaterThan(0);
    expect(status.actor?.messagesIn).toBe(count);
  });
});
