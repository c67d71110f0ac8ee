/**
 * A raw HTTP/1.1 client for malformed requests fetch() refuses to send: writes the bytes as
 * given and resolves with the status line of the answer, or with how the connection ended
 * without one (`closed`), so a test can tell "answered 400" from "dropped".
 */
import { connect } from 'node:net';

export interface RawAnswer {
  /** The status code, or null when the server closed the connection without answering. */
  status: number | null;
  /** Everything the server sent (latin1). */
  text: string;
}

/** Sends `head` (and then `body`, if any) to 127.0.0.1:`port`; resolves once the server answers or closes. */
export function rawRequest(port: number, head: string | Buffer, body?: Buffer): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const done = (): void => {
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      resolve({ status: match ? Number(match[1]) : null, text });
    };
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      // The head of the answer is in: no need to wait for the server to close.
      if (text.includes('\r\n\r\n')) {
        socket.destroy();
        done();
      }
    });
    socket.on('error', () => undefined); // a reset after the answer (unread body) or instead of one: close reports it
    socket.on('close', done);
    socket.write(head);
    if (body) socket.write(body);
  });
}

/** A request head with `Connection: close`; `headers` are raw `Name: value` lines, in order. */
export function requestHead(method: string, path: string, headers: readonly string[]): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((line) => `${line}\r\n`).join('')}Connection: close\r\n\r\n`;
}
