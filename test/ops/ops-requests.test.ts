/**
 * The ops API against hostile and malformed requests, on both server backends: mutating routes
 * are refused on their head (token, a repeated Authorization, content type, size) before any
 * body is read, and every malformed request gets an answer rather than a dropped connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../../src/base/net/index.js';
import { rootLogger } from '../../src/base/log.js';
import { OpsServer, type OpsBackend } from '../../src/ops/ops-server.js';
import type { SystemStatus } from '../../src/ops/system-status.js';
import { rawRequest, requestHead } from '../helpers/raw-http.js';

const TOKEN = 'test-token-1234567';
const AUTH = `Authorization: Bearer ${TOKEN}`;
const calls: string[] = [];
const backend: OpsBackend = {
  status: async () => ({ actors: [] }) as unknown as SystemStatus,
  halt: async (reason) => (calls.push(`halt:${reason}`), { state: 'HALTED' }),
  resume: async (reason) => (calls.push(`resume:${reason}`), { state: 'ACTIVE' }),
  reload: async (actorId) => (calls.push(`reload:${actorId}`), { ok: true, actorId, fromVersion: '1', toVersion: '1', startupMs: 1, pauseUs: 1 }),
  hasActor: (id) => id === 'carry',
};
const uwsAvailable = (await chooseBackend('auto')).name === 'uws';

describe.each([
  { name: 'node' as const, skip: false },
  { name: 'uws' as const, skip: !uwsAvailable },
])('ops requests on the $name backend', ({ name, skip }) => {
  let ops: OpsServer;
  const saved = process.env.ARBITER_HTTP_BACKEND;
  const send = (head: string | Buffer, body?: Buffer) => rawRequest(ops.server.port, head, body);

  beforeAll(async () => {
    if (skip) return;
    process.env.ARBITER_HTTP_BACKEND = name;
    ops = await OpsServer.start(backend, { port: 0, token: TOKEN, log: rootLogger().child({ component: 'ops-test' }) });
    expect(ops.server.backend).toBe(name);
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.ARBITER_HTTP_BACKEND;
    else process.env.ARBITER_HTTP_BACKEND = saved;
    await ops?.close();
  });

  it.skipIf(skip)('refuses a mutating body that is not application/json with 415, and takes one that is', async () => {
    const body = '{"reason":"drill"}';
    const typed = (type: string | null) => requestHead('POST', '/halt', [AUTH, ...(type ? [`Content-Type: ${type}`] : []), `Content-Length: ${body.length}`]) + body;
    const wrong = await send(typed('text/plain'));
    expect(wrong.status).toBe(415);
    expect(wrong.text).toMatch(/body must be application\/json, got content-type \\"text\/plain\\"/);
    expect((await send(typed(null))).status).toBe(415);
    expect((await send(typed('application/jsonx'))).status).toBe(415);
    expect(calls.splice(0)).toEqual([]);
    expect((await send(typed('application/json; charset=utf-8'))).status).toBe(200);
    expect(calls.splice(0)).toEqual(['halt:drill']);
    // No body, no content type needed.
    expect((await send(requestHead('POST', '/resume', [AUTH, 'Content-Length: 0']))).status).toBe(200);
    expect(calls.splice(0)).toEqual(['resume:resumed by operator']);
  });

  it.skipIf(skip)('rejects a repeated Authorization header with 400, whichever copy is right', async () => {
    for (const pair of [[AUTH, AUTH], ['Authorization: Bearer wrong-token-000000', AUTH], [AUTH, 'Authorization: Bearer wrong-token-000000']]) {
      const answer = await send(requestHead('POST', '/halt', [...pair, 'Content-Length: 0']));
      expect(answer.status).toBe(400);
      expect(answer.text).toMatch(/Authorization header sent more than once/);
    }
    expect(calls).toEqual([]);
  });

  it.skipIf(skip)('refuses an unauthenticated or oversized body on its head, without waiting for the body', async () => {
    // Only the head is sent: an answer can only come from a server that did not wait for the body.
    const unauthenticated = await send(requestHead('POST', '/halt', ['Content-Type: application/json', 'Content-Length: 500000']));
    expect(unauthenticated.status).toBe(401);
    const wrongToken = await send(requestHead('POST', '/actors/carry/reload', ['Authorization: Bearer nope', 'Content-Type: application/json', 'Content-Length: 500000']));
    expect(wrongToken.status).toBe(401);
    const oversized = await send(requestHead('POST', '/halt', [AUTH, 'Content-Type: application/json', `Content-Length: ${64 << 20}`]));
    expect(oversized.status).toBe(413);
    const unknownRoute = await send(requestHead('POST', '/nope', ['Content-Length: 500000']));
    expect(unknownRoute.status).toBe(404);
    expect(calls).toEqual([]);
  });

  it.skipIf(skip)('answers a body that grows past the limit while streaming with 413, and bad JSON with 400', async () => {
    const streamed = await send(requestHead('POST', '/halt', [AUTH, 'Content-Type: application/json', 'Transfer-Encoding: chunked']), Buffer.from(`200000\r\n${'a'.repeat(0x200000)}\r\n0\r\n\r\n`));
    expect(streamed.status).toBe(413);
    const badJson = await send(requestHead('POST', '/halt', [AUTH, 'Content-Type: application/json', 'Content-Length: 5']) + '{bad!');
    expect(badJson.status).toBe(400);
    expect(badJson.text).toMatch(/body is not valid JSON/);
    const badEncoding = await send(requestHead('POST', '/actors/%ZZ/reload', [AUTH, 'Content-Length: 0']));
    expect(badEncoding.status).toBe(404);
    expect((await send(requestHead('PUT', '/halt', [AUTH, 'Content-Length: 0']))).status).toBe(405);
    expect(calls).toEqual([]);
  });

  // uWebSockets.js (this build) parses requests natively and drops a connection whose request
  // line or chunked framing it cannot parse before any JavaScript sees it: node only.
  it.skipIf(skip || name === 'uws')('answers requests the HTTP parser rejects instead of dropping the connection', async () => {
    expect((await send(requestHead('FOO', '/halt', []))).status).toBe(501);
    expect((await send(Buffer.concat([Buffer.from('GET /st'), Buffer.from([0xff]), Buffer.from('atus HTTP/1.1\r\nHost: x\r\n\r\n')]))).status).toBe(400);
    expect((await send(requestHead('GET', 'status', []))).status).toBe(400);
    const badChunk = await send(requestHead('POST', '/halt', [AUTH, 'Content-Type: application/json', 'Transfer-Encoding: chunked']) + 'ZZ\r\nxx\r\n0\r\n\r\n');
    expect(badChunk.status).toBe(400);
    expect((await send(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).status).toBe(431);
    expect(calls).toEqual([]);
  });
});
