/** Progress goes to stderr; figures and verdicts go to stdout. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A plain text table, right-aligning numbers. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 || !/^[-+\d.,x%/() ]+$/.test(c) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

export function verdict(pass: boolean, what: string): string {
  return `${pass ? 'PASS' : 'FAIL'}  ${what}`;
}
