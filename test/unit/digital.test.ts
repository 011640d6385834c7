// Digital goods rules: when a download link is gone and why, upload types and image bytes, no cash on delivery for downloads.
import { contentMismatch, downloadGoneReason, downloadToken, readDownloadToken, uploadMediaType } from '../../domain/digital.ts';
import { checkPlacement } from '../../domain/order.ts';
import { digitalDeliveryId } from '../../domain/ids.ts';

const KEY = 'unit-test-link-key-0123456789';
const active = (overrides: Partial<{ remaining: number; expiresAtMs: number }> = {}) => ({
  status: 'active' as const,
  remaining: 2,
  expiresAtMs: 10_000,
  ...overrides,
});

describe('download links', () => {
  test('when a link is active, unexpired, has downloads left and carries the current expiry, then it is not gone', () => {
    expect(downloadGoneReason(active(), 10_000, 9_999)).toBeNull();
  });

  test('when revoked, superseded, expired or used up, then it is gone with that reason (revocation first)', () => {
    expect(downloadGoneReason({ ...active(), status: 'revoked' }, 10_000, 0)).toBe('revoked');
    expect(downloadGoneReason(active(), 9_000, 0)).toBe('superseded');
    expect(downloadGoneReason(active(), 10_000, 10_000)).toBe('expired');
    expect(downloadGoneReason(active({ remaining: 0 }), 10_000, 0)).toBe('used_up');
  });

  test('when a token is signed, then it reads back its delivery and expiry; altered, for another key or past its expiry, it is refused', () => {
    const token = downloadToken({ id: 'dl_1', tenantId: 'ten_1', expiresAtMs: 5_000 }, KEY);
    expect(readDownloadToken(token, KEY, 4_999)).toEqual({ deliveryId: 'dl_1', tenantId: 'ten_1', expiresAtMs: 5_000 });
    expect(readDownloadToken(token, KEY, 5_000)).toBe('expired');
    expect(readDownloadToken(token, 'another-key-of-enough-length', 0)).toBe('invalid');
    expect(readDownloadToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, KEY, 0)).toBe('invalid');
  });

  test('when the same line is delivered twice, then it has the same delivery id', () => {
    expect(digitalDeliveryId('oi_abc')).toBe(digitalDeliveryId('oi_abc'));
    expect(digitalDeliveryId('oi_abc')).not.toBe(digitalDeliveryId('oi_abd'));
  });
});

describe('uploads', () => {
  test('when the content-type is a media type, then it is its lower-cased type without parameters; otherwise null', () => {
    expect(uploadMediaType('Image/PNG; charset=binary')).toBe('image/png');
    expect(uploadMediaType('application/vnd.epub+zip')).toBe('application/vnd.epub+zip');
    for (const bad of [undefined, '', 'png', 'image/', '/png', 'image/png/x', 'a b/c']) expect(uploadMediaType(bad)).toBeNull();
  });

  test('when image bytes match their type, then nothing is wrong; HTML sent as PNG is refused; other types are not sniffed', () => {
    expect(contentMismatch('image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBeNull();
    expect(contentMismatch('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBeNull();
    expect(contentMismatch('image/webp', Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 'latin1'))).toBeNull();
    expect(contentMismatch('image/png', Buffer.from('<html>'))).toContain('not a PNG image');
    expect(contentMismatch('image/gif', Buffer.from('GI'))).toContain('not a GIF image');
    expect(contentMismatch('application/pdf', Buffer.from('anything'))).toBeNull();
  });
});

describe('placing digital lines', () => {
  const line = (digital: boolean) => ({ variantId: digital ? 'var_d' : 'var_p', quantity: 1, unitPrice: 100, sold: true, subscription: false, digital });

  test('when a digital line is paid on delivery, then placement is refused naming it; by card or transfer it is placed', () => {
    const [problem] = checkPlacement([line(true), line(false)], 'cod');
    expect(problem).toMatchObject({ code: 'validation_failed', details: { variant_ids: ['var_d'] } });
    expect(checkPlacement([line(true)], 'card')).toEqual([]);
    expect(checkPlacement([line(true)], 'bank_transfer')).toEqual([]);
    expect(checkPlacement([line(false)], 'cod')).toEqual([]);
  });
});
