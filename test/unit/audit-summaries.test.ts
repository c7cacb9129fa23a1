import { AuditAction } from '../../src/modules/audit/audit-action';
import { diffFields } from '../../src/modules/audit/audit-details';
import { AUDIT_SUMMARIES, renderSummary } from '../../src/modules/audit/audit-summaries';
import { decodeAuditCursor, encodeAuditCursor, withoutSecrets } from '../../src/modules/audit/audit.service';

const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe('audit summaries', () => {
  test.each(Object.values(AuditAction))('%s has an English and a Persian line with the same placeholders', (action) => {
    expect(AUDIT_SUMMARIES.en[action]).toBeTruthy();
    expect(AUDIT_SUMMARIES.fa[action]).toMatch(/[\u0600-\u06FF]/);
    expect(placeholders(AUDIT_SUMMARIES.fa[action])).toEqual(placeholders(AUDIT_SUMMARIES.en[action]));
  });

  test('a line names the actor (or the server), the target and the reason, on one line', () => {
    expect(
      renderSummary('en', AuditAction.MODEL_ACTIVATED, {
        actor: 'alice',
        model: 'gpt-4o',
        provider: 'openai',
        capabilities: 'CHAT',
        reason: 'cheaper\nand faster',
      }),
    ).toBe('alice activated gpt-4o for openai CHAT — reason: cheaper and faster');
    expect(renderSummary('en', AuditAction.TOKEN_CREATED, { tokenName: 'ADMIN_TOKEN', user: 'admin' })).toBe(
      'The server created token "ADMIN_TOKEN" for admin',
    );
    expect(
      renderSummary('fa', AuditAction.SLOT_REVERTED, { actor: 'alice', provider: 'openai', capability: 'CHAT', toVersion: 0, model: null }),
    ).toBe('alice جایگاه openai/CHAT را به نسخهٔ 0 (خالی) برگرداند');
  });
});

describe('audit details never carry a secret', () => {
  test('properties that could hold a key or a token are dropped, hints and ids kept', () => {
    expect(
      withoutSecrets({
        sharedApiKey: 'sk-live-secret',
        apiKey: 'sk-personal',
        token: 'sbt_abc',
        tokenHash: 'deadbeef',
        keyEncrypted: 'v1:...',
        sharedApiKeyHint: { before: null, after: '…cret' },
        tokenId: 'b6f9',
        nested: [{ password: 'x', name: 'ok' }],
        at: new Date('2026-01-01T00:00:00Z'),
      }),
    ).toEqual({ sharedApiKeyHint: { before: null, after: '…cret' }, tokenId: 'b6f9', nested: [{ name: 'ok' }], at: '2026-01-01T00:00:00.000Z' });
  });

  test('cursors round-trip; malformed ones are refused', () => {
    const c = { at: new Date('2026-11-29T12:00:00.123Z'), id: '42' };
    expect(decodeAuditCursor(encodeAuditCursor(c))).toEqual(c);
    expect(decodeAuditCursor('zzz')).toBeUndefined();
  });
});

describe('audit details', () => {
  test('before/after hold only the fields that changed; nothing changed is null (no event)', () => {
    expect(diffFields({ name: 'A', baseUrl: null, hint: '…abcd' }, { name: 'A', baseUrl: 'https://x', hint: '…wxyz' })).toEqual({
      fields: ['baseUrl', 'hint'],
      before: { baseUrl: null, hint: '…abcd' },
      after: { baseUrl: 'https://x', hint: '…wxyz' },
    });
    expect(diffFields({ caps: ['CHAT'], n: 1 }, { caps: ['CHAT'], n: 1 })).toBeNull();
  });
});
