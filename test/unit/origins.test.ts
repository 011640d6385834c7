// Origin patterns of stores (CORS): what PATCH /admin/store accepts, how it is normalised, what a pattern admits.
import { normalizeOriginPattern, originMatcher } from '../../domain/origins.ts';

describe('origin patterns', () => {
  test('when an origin is written with upper case or a default port, then it is stored as browsers send Origin', () => {
    expect(normalizeOriginPattern('HTTPS://Shop.Example.jp:443')).toEqual({ pattern: 'https://shop.example.jp' });
    expect(normalizeOriginPattern('http://localhost:80')).toEqual({ pattern: 'http://localhost' });
    expect(normalizeOriginPattern('http://[0:0::1]:*')).toEqual({ pattern: 'http://[::1]:*' });
    expect(normalizeOriginPattern('https://shop.example.jp:8443')).toEqual({ pattern: 'https://shop.example.jp:8443' });
  });

  test('when an origin has a path, a host wildcard, no scheme, user info or a bad port, then it is refused with a reason', () => {
    for (const bad of [
      'https://shop.example.jp/',
      'https://shop.example.jp/app',
      'https://*.example.jp',
      '*',
      'shop.example.jp',
      'null',
      'https://user@shop.example.jp',
      'https://shop.example.jp:0',
      'https://[zz::1]',
      'https://ショップ.jp',
    ]) {
      expect({ bad, result: normalizeOriginPattern(bad) }).toEqual({ bad, result: { error: expect.any(String) } });
    }
  });

  test('when a port wildcard is allowed, then it admits every port and the default one of that scheme and host only', () => {
    const matcher = originMatcher(['http://localhost:*', 'https://shop.example.jp']);
    expect(['http://localhost', 'http://localhost:5173', 'https://shop.example.jp'].map((o) => matcher.allows(o))).toEqual([true, true, true]);
    expect(
      ['https://localhost:5173', 'http://localhost.evil.example:80', 'https://shop.example.jp:8443', 'https://evil-shop.example.jp'].map((o) =>
        matcher.allows(o),
      ),
    ).toEqual([false, false, false, false]);
    expect(originMatcher([]).allows('http://localhost')).toBe(false);
  });
});
