import { en, type MessageKey } from '../../src/common/i18n/messages.en';
import { fa } from '../../src/common/i18n/messages.fa';
import { negotiateLocale, translate } from '../../src/common/i18n/translate';

const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
const keys = Object.keys(en) as MessageKey[];

describe('the catalogs', () => {
  test('English and Persian have exactly the same keys', () => {
    expect(Object.keys(fa).sort()).toEqual([...keys].sort());
  });

  test.each(keys)('%s: the Persian message exists, is Persian and has the same {placeholders}', (key) => {
    expect(typeof fa[key]).toBe('string');
    expect(fa[key].trim()).not.toBe('');
    expect(fa[key]).toMatch(/[\u0600-\u06FF]/);
    expect(placeholders(fa[key])).toEqual(placeholders(en[key]));
  });

  test('no message is empty in English either', () => {
    for (const key of keys) expect(en[key].trim()).not.toBe('');
  });
});

describe('negotiateLocale', () => {
  test.each([
    [undefined, 'en', 'en'],
    [null, 'fa', 'fa'],
    ['', 'en', 'en'],
    ['fa', 'en', 'fa'],
    ['FA', 'en', 'fa'],
    ['fa-IR', 'en', 'fa'],
    ['fa-IR,fa;q=0.9', 'en', 'fa'],
    ['en-US,en;q=0.9', 'fa', 'en'],
    ['de', 'en', 'en'],
    ['de', 'fa', 'fa'],
    ['de, fa;q=0.5, en;q=0.4', 'en', 'fa'],
    ['en;q=0.5, fa', 'en', 'fa'],
    ['fa, en', 'en', 'fa'],
    ['en, fa', 'fa', 'en'],
    ['fa;q=0, en;q=0.1', 'fa', 'en'],
    ['fa;q=0', 'en', 'en'],
    ['fa;q=abc, en;q=0.1', 'fa', 'en'],
    ['*', 'en', 'en'],
    ['  fa-IR ; q=0.8 , de', 'en', 'fa'],
    [';;;,,,', 'en', 'en'],
  ] as const)('%j (default %s) -> %s', (header, fallback, expected) => {
    expect(negotiateLocale(header as string | null | undefined, fallback)).toBe(expected);
  });
});

describe('translate', () => {
  test('fills the parameters, in each language', () => {
    expect(translate('en', 'provider.notFound', { slug: 'acme' })).toBe('No provider with slug "acme".');
    expect(translate('fa', 'provider.notFound', { slug: 'acme' })).toBe(fa['provider.notFound'].replace('{slug}', 'acme'));
    expect(translate('en', 'input.range', { field: 'first', min: 1, max: 100 })).toBe('first must be between 1 and 100.');
  });

  test('fills every occurrence and every parameter of a message', () => {
    const msg = translate('en', 'activation.versionConflict', { provider: 'p', capability: 'CHAT', actual: 3, expected: 2 });
    expect(msg).toContain('p/CHAT');
    expect(msg).toContain('version 3, not 2');
    expect(msg).not.toMatch(/\{\w+\}/);
  });

  test('leaves a missing parameter visible and ignores extra ones', () => {
    expect(translate('en', 'provider.notFound')).toBe('No provider with slug "{slug}".');
    expect(translate('en', 'provider.notFound', { slug: 'x', other: 'y' })).toBe('No provider with slug "x".');
  });

  test('inserts values literally ($ patterns are not special)', () => {
    expect(translate('en', 'provider.notFound', { slug: "$&$1$'" })).toBe('No provider with slug "$&$1$\'".');
    expect(translate('en', 'provider.notFound', { slug: '{slug}' })).toBe('No provider with slug "{slug}".');
  });

  test('an unknown locale falls back to English', () => {
    expect(translate('de' as never, 'provider.notFound', { slug: 'x' })).toBe('No provider with slug "x".');
  });
});
