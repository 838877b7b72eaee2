import { sanitizeFileName } from './attachments.service';
import { isFdiTooth, PROCEDURE_CODE_PATTERN, PROCEDURE_TRANSITIONS } from './dental.constants';

describe('isFdiTooth', () => {
  it('accepts every permanent and primary tooth', () => {
    const valid: number[] = [];
    for (const q of [1, 2, 3, 4]) for (let p = 1; p <= 8; p += 1) valid.push(q * 10 + p);
    for (const q of [5, 6, 7, 8]) for (let p = 1; p <= 5; p += 1) valid.push(q * 10 + p);
    expect(valid).toHaveLength(52);
    for (let n = -5; n <= 120; n += 1) expect({ n, ok: isFdiTooth(n) }).toEqual({ n, ok: valid.includes(n) });
  });

  it('refuses anything that is not an integer', () => {
    for (const v of ['11', 11.5, null, undefined, NaN, {}]) expect(isFdiTooth(v)).toBe(false);
  });
});

describe('procedure codes and statuses', () => {
  it('takes CDT codes and local codes, upper case', () => {
    for (const code of ['D2391', 'D0120', 'LOC-1', 'X.12']) expect(PROCEDURE_CODE_PATTERN.test(code)).toBe(true);
    for (const code of ['d2391', 'D', '-D1', 'D 2391', 'D2391!', 'A'.repeat(21)]) expect(PROCEDURE_CODE_PATTERN.test(code)).toBe(false);
  });

  it('ends at completed or cancelled', () => {
    expect(PROCEDURE_TRANSITIONS.completed).toEqual([]);
    expect(PROCEDURE_TRANSITIONS.cancelled).toEqual([]);
    expect(PROCEDURE_TRANSITIONS.in_progress).not.toContain('planned');
  });
});

describe('sanitizeFileName', () => {
  it('keeps the base name, without directories, quotes or control characters', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\scans\\OPG 2024.png')).toBe('OPG 2024.png');
    expect(sanitizeFileName('a"b\r\nc;d.pdf')).toBe('a_b_c_d.pdf');
    expect(sanitizeFileName('दाँत-एक्स-रे.jpg')).toBe('दाँत-एक्स-रे.jpg');
    expect(sanitizeFileName('x'.repeat(300))).toHaveLength(200);
  });

  it('gives nothing for nothing useful', () => {
    for (const raw of [undefined, '', '..', '/', ' . ']) expect(sanitizeFileName(raw)).toBeNull();
  });
});
