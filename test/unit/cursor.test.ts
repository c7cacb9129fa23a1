import { CURSOR_DIGITS, parseCursor, toCursor } from '../../src/modules/activation/change-record';

const INT8_MAX = 9223372036854775807n;

describe('toCursor', () => {
  test('is a fixed-width decimal string', () => {
    expect(toCursor(1)).toBe('00000000000000000001');
    expect(toCursor('42')).toBe('00000000000000000042');
    expect(toCursor(123n)).toHaveLength(CURSOR_DIGITS);
    expect(toCursor(INT8_MAX)).toBe('09223372036854775807');
  });

  test('orders as strings exactly as the ids order as numbers', () => {
    const ids = [1n, 2n, 9n, 10n, 99n, 100n, 12345678901234n, INT8_MAX];
    const cursors = ids.map(toCursor);
    expect([...cursors].sort()).toEqual(cursors);
  });
});

describe('parseCursor', () => {
  test.each([1n, 7n, 10n, 1_000_000n, INT8_MAX])('inverts toCursor for %s', (id) => {
    expect(parseCursor(toCursor(id))).toBe(id.toString());
  });

  test('accepts shorter decimal forms and normalizes them', () => {
    expect(parseCursor('5')).toBe('5');
    expect(parseCursor('007')).toBe('7');
    expect(parseCursor('0')).toBe('0');
  });

  test.each([
    '',
    'abc',
    '-1',
    '+1',
    '1.0',
    '1e3',
    ' 1',
    '1 ',
    '0x10',
    '１２', // full-width digits
    '9223372036854775808', // int8 max + 1
    '99999999999999999999',
    '000000000000000000001', // 21 digits
    'MDAwMDAx',
  ])('rejects %j', (cursor) => {
    expect(parseCursor(cursor)).toBeUndefined();
  });
});
