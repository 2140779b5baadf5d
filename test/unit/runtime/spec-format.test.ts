import { decodeField, encodeField, listField, parseSpec, renderSpec, renderStep, SPEC_HEADER } from '../../../src/runtime/spec-format';

describe('launch spec field encoding', () => {
  it.each([
    ['plain', 'plain'],
    ['', '%-'],
    ['a b', 'a%20b'],
    ['100%', '100%25'],
    ['tab\there', 'tab%09here'],
    ['line\nbreak\r', 'line%0Abreak%0D'],
    ['\x01\x7f', '%01%7F'],
    ['-', '-'],
    ['%-', '%25-'],
    ['héllo wörld ✓', 'héllo%20wörld%20✓'],
  ])('encodes %j as %j and back', (raw, encoded) => {
    expect(encodeField(raw)).toBe(encoded);
    expect(decodeField(encoded)).toBe(raw);
  });

  it('round-trips every byte below 0x80 and some unicode', () => {
    let all = '';
    for (let i = 1; i < 0x80; i++) all += String.fromCharCode(i);
    all += ' 日本語 🙂';
    const enc = encodeField(all);
    expect(enc).not.toMatch(/[ \t\n\r]/);
    expect(decodeField(enc)).toBe(all);
  });

  it('decodes non-ASCII percent escapes as UTF-8', () => {
    expect(decodeField('%C3%A9')).toBe('é');
  });

  it('refuses a NUL byte, which no C string can carry', () => {
    expect(() => encodeField('a\0b')).toThrow(RangeError);
  });

  it('rejects a broken escape', () => {
    expect(() => decodeField('50%')).toThrow(SyntaxError);
    expect(() => decodeField('%zz')).toThrow(SyntaxError);
  });

  it('writes lists as comma lists, empty as -', () => {
    expect(listField(['mount', 'uts'])).toBe('mount,uts');
    expect(listField([])).toBe('-');
    expect(listField([0, 21])).toBe('0,21');
  });
});

describe('launch spec rendering and parsing', () => {
  const entries = [
    { kind: 'comment' as const, text: 'hello\nlearner' },
    { kind: 'step' as const, step: 'name', fields: ['my box'] },
    { kind: 'step' as const, step: 'env', fields: ['GREETING', 'hi there\nfriend'] },
    { kind: 'step' as const, step: 'env', fields: ['EMPTY', ''] },
    { kind: 'step' as const, step: 'release', fields: [] },
  ];

  it('puts the header first, comments as # lines, and ends with a newline', () => {
    const { lines, text } = renderSpec(entries);
    expect(lines).toEqual([SPEC_HEADER, '# hello', '# learner', 'name my%20box', 'env GREETING hi%20there%0Afriend', 'env EMPTY %-', 'release']);
    expect(text).toBe(lines.join('\n') + '\n');
  });

  it('drops comments when asked', () => {
    expect(renderSpec(entries, { comments: false }).lines).not.toContain('# hello');
  });

  it('round-trips through parseSpec', () => {
    const parsed = parseSpec(renderSpec(entries).text);
    expect(parsed.map((s) => [s.step, ...s.fields])).toEqual([
      ['name', 'my box'],
      ['env', 'GREETING', 'hi there\nfriend'],
      ['env', 'EMPTY', ''],
      ['release'],
    ]);
    expect(parsed[0]!.line).toBe(4);
  });

  it('refuses a spec without the version header', () => {
    expect(() => parseSpec('name x\n')).toThrow(/haco-launch 1/);
    expect(() => parseSpec('haco-launch 2\nname x\n')).toThrow(SyntaxError);
    expect(() => parseSpec('# only\n')).toThrow(/empty/);
  });

  it('renders a step with encoded fields', () => {
    expect(renderStep('bind', ['/host dir', '/in', 'ro,rec'])).toBe('bind /host%20dir /in ro,rec');
  });
});
