import { describe, expect, it } from 'vitest';
import { message, type Message } from '../../src/protocol/index.js';
import { RingSink, RingSource, topicMatches } from '../../src/runtime/transport/channel.js';
import { createCodec } from '../../src/runtime/transport/codec.js';
import { createDoorbell } from '../../src/runtime/transport/doorbell.js';
import { OutputPort } from '../../src/runtime/transport/output-port.js';
import { createRing } from '../../src/runtime/transport/ring.js';

const codec = createCodec();
const probe = (seq: number, key = ''): Message => message('Probe', { ts: seq, seq, key, body: 'b'.repeat(40) });

function channel(capacity = 1024): { ring: SharedArrayBuffer; source: RingSource; read: () => Message[] } {
  const ring = createRing(capacity);
  const source = new RingSource(ring);
  return {
    ring,
    source,
    read: () => {
      const out: Message[] = [];
      source.poll((data, start, end) => out.push(codec.decode(data, start, end)), 1 << 20);
      return out;
    },
  };
}

const seqs = (messages: Message[]): number[] => messages.map((m) => (m as { seq: number }).seq);

describe('topic patterns', () => {
  it.each([
    ['md.book.*.BTC/USDT', 'md.book.binance.BTC/USDT', true],
    ['md.book.*.BTC/USDT', 'md.book.binance.ETH/USDT', false],
    ['md.*.okx.#', 'md.funding.okx.BTC/USDT:USDT', true],
    ['md.#', 'md.status.okx', true],
    ['md.status.okx', 'md.status.okx.BTC/USDT', false],
    ['exec.events.s1', 'exec.events.s10', false],
    ['#', 'anything.at.all', true],
  ])('%s vs %s → %s', (pattern, topic, expected) => {
    expect(topicMatches(pattern, topic)).toBe(expected);
  });
});

describe('OutputPort', () => {
  it('encodes once and fans out only to destinations whose patterns match the topic', () => {
    const a = channel();
    const b = channel();
    const port = new OutputPort('md', 'conflate', codec, [
      { target: 'a.in', sink: new RingSink(a.ring, createDoorbell()), patterns: ['probe.x'] },
      { target: 'b.in', sink: new RingSink(b.ring, createDoorbell()), patterns: [] },
    ]);
    const x = port.topicKey('probe.x');
    const y = port.topicKey('probe.y');
    expect(port.topicKey('probe.x')).toBe(x);
    port.send(probe(1), x);
    port.send(probe(2), y);
    port.send(probe(3));
    expect(seqs(a.read())).toEqual([1, 3]);
    expect(seqs(b.read())).toEqual([1, 2, 3]);
  });

  it('lossless: keeps records a full ring cannot take and delivers them in order later', () => {
    const a = channel(1024);
    const port = new OutputPort('cmd', 'lossless', codec, [{ target: 'a.in', sink: new RingSink(a.ring, createDoorbell()), patterns: [] }]);
    for (let i = 1; i <= 100; i++) port.send(probe(i));
    expect(port.hasPending()).toBe(true);
    const received: number[] = [];
    while (received.length < 100) {
      received.push(...seqs(a.read()));
      port.flush();
    }
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(port.hasPending()).toBe(false);
  });

  it('conflate: a slow reader gets the latest value per key instead of a backlog, per-key order intact', () => {
    const a = channel(1024);
    const port = new OutputPort('md', 'conflate', codec, [{ target: 'a.in', sink: new RingSink(a.ring, createDoorbell()), patterns: [] }]);
    const keys = [port.topicKey('k1'), port.topicKey('k2'), port.topicKey('k3')];
    for (let i = 1; i <= 300; i++) port.send(probe(i, `k${(i % 3) + 1}`), keys[i % 3]);
    const received: Message[] = [];
    for (let rounds = 0; rounds < 10 && (port.hasPending() || a.source.hasData()); rounds++) {
      a.source.pollConflated((data, start, end) => received.push(codec.decode(data, start, end)), 1 << 20);
      port.flush();
    }
    const byKey = new Map<string, number[]>();
    for (const m of received as { key: string; seq: number }[]) byKey.set(m.key, [...(byKey.get(m.key) ?? []), m.seq]);
    // The last value of every key arrives, and within a key sequence numbers only increase.
    expect(byKey.get('k1')!.at(-1)).toBe(300);
    expect(byKey.get('k2')!.at(-1)).toBe(298);
    expect(byKey.get('k3')!.at(-1)).toBe(299);
    for (const values of byKey.values()) expect(values).toEqual([...values].sort((p, q) => p - q));
    expect(received.length).toBeLessThan(300);
  });

  it('hands pending records over to a successor port that delivers them first', () => {
    const a = channel(1024);
    const first = new OutputPort('cmd', 'lossless', codec, [{ target: 'a.in', sink: new RingSink(a.ring, createDoorbell()), patterns: [] }]);
    for (let i = 1; i <= 40; i++) first.send(probe(i));
    const pending = first.takePending();
    expect(pending.length).toBeGreaterThan(0);
    const successor = new OutputPort('cmd', 'lossless', codec, [{ target: 'a.in', sink: new RingSink(a.ring, createDoorbell()), patterns: [] }]);
    successor.restorePending(pending);
    successor.send(probe(41));
    const received: number[] = [];
    while (received.length < 41) {
      received.push(...seqs(a.read()));
      successor.flush();
    }
    expect(received).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
  });
});
