import { signLink, verifyLink, type LinkClaims } from '../../domain/signed-links.ts';

const KEY = 'a-test-link-signing-key';
const buildClaims = (overrides: Partial<LinkClaims> = {}): LinkClaims => ({
  purpose: 'download',
  id: 'dl_1',
  tenantId: 'ten_1',
  expiresAt: 10_000,
  ...overrides,
});

describe('signed links', () => {
  test('when a token is verified before its expiry with the same key and purpose, then its claims come back', () => {
    expect(verifyLink(signLink(buildClaims(), KEY), 'download', KEY, 9_999)).toEqual(buildClaims());
  });
  test('when the expiry has passed, then the token is expired', () => {
    expect(verifyLink(signLink(buildClaims(), KEY), 'download', KEY, 10_000)).toBe('expired');
  });
  test('when the purpose, key or claims differ, then the token is invalid', () => {
    const token = signLink(buildClaims(), KEY);
    expect(verifyLink(token, 'export', KEY, 0)).toBe('invalid');
    expect(verifyLink(token, 'download', 'another-key-entirely', 0)).toBe('invalid');
    const forged = signLink(buildClaims({ id: 'dl_2' }), KEY).split('.')[0] + '.' + token.split('.')[1];
    expect(verifyLink(forged, 'download', KEY, 0)).toBe('invalid');
    expect(verifyLink('garbage', 'download', KEY, 0)).toBe('invalid');
    expect(verifyLink(`${token}.x`, 'download', KEY, 0)).toBe('invalid');
  });
});
