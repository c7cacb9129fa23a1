import { randomBytes } from 'node:crypto';
import { keyHint, SecretBox } from '../../src/common/secret-box';

const key = randomBytes(32);
const box = new SecretBox(key);

describe('SecretBox', () => {
  test.each(['sk-live-1234567890', '', 'کلید فارسی 🔑', 'x'.repeat(5000)])('round-trips %j', (plain) => {
    const stored = box.encrypt(plain);
    expect(box.decrypt(stored)).toBe(plain);
  });

  test('the stored form is versioned, does not contain the plaintext, and differs every time (random IV)', () => {
    const plain = 'sk-live-secret-value';
    const a = box.encrypt(plain);
    const b = box.encrypt(plain);
    expect(a).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]*$/);
    expect(a).not.toContain(plain);
    expect(a).not.toContain(Buffer.from(plain).toString('base64url'));
    expect(a).not.toBe(b);
    expect(box.decrypt(b)).toBe(plain);
  });

  test('another key cannot decrypt', () => {
    const stored = box.encrypt('secret');
    expect(() => new SecretBox(randomBytes(32)).decrypt(stored)).toThrow();
  });

  test('tampering with the ciphertext, tag or IV is detected', () => {
    const stored = box.encrypt('secret-payload');
    const [v, iv, tag, data] = stored.split(':');
    const flip = (s: string) => {
      const buf = Buffer.from(s, 'base64url');
      buf[0] ^= 1;
      return buf.toString('base64url');
    };
    expect(() => box.decrypt([v, iv, tag, flip(data)].join(':'))).toThrow();
    expect(() => box.decrypt([v, iv, flip(tag), data].join(':'))).toThrow();
    expect(() => box.decrypt([v, flip(iv), tag, data].join(':'))).toThrow();
  });

  test('unknown or malformed stored forms are rejected', () => {
    const [, iv, tag, data] = box.encrypt('secret').split(':');
    expect(() => box.decrypt(['v2', iv, tag, data].join(':'))).toThrow(/format/);
    expect(() => box.decrypt('v1:only-two')).toThrow();
    expect(() => box.decrypt('plaintext')).toThrow();
    expect(() => box.decrypt('')).toThrow();
  });

  test('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32-byte/);
    expect(() => new SecretBox(Buffer.alloc(0))).toThrow();
    expect(() => new SecretBox(randomBytes(33))).toThrow();
  });
});

describe('keyHint', () => {
  test('shows only the last four characters', () => {
    expect(keyHint('sk-live-abcdef1234')).toBe('…1234');
    expect(keyHint('sk-live-abcdef1234')).not.toContain('sk-live');
  });
});
