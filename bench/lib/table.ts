/** Plain-text tables for the terminal: right-aligned numbers, one header row. */
import type { BenchRow } from './rows.js';

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Numbers with a precision that suits their size (µs and rates both span 5 orders). */
export function formatNumber(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const HEADERS = ['variant', 'transport', 'wait', 'msgs', 'msgs/s', 'p50 µs', 'p90 µs', 'p99 µs', 'p99.9 µs', 'max µs', 'threads'];

export function formatRows(rows: readonly BenchRow[]): string {
  return formatTable(
    HEADERS,
    rows.map((row) => [
      row.variant,
      row.transport,
      row.waitStrategy ?? '-',
      formatNumber(row.messages),
      formatNumber(row.msgsPerSec),
      formatNumber(row.p50Us),
      formatNumber(row.p90Us),
      formatNumber(row.p99Us),
      formatNumber(row.p999Us),
      formatNumber(row.maxUs),
      String(row.threads),
    ]),
  );
}
