import { assertDeliverableUrl, isInternalAddress } from '../../providers/webhooks/url-guard.ts';

const REFUSED = [
  'http://[::127.0.0.1]/',
  'http://[::ffff:0:7f00:1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::]/',
  'http://[::1]/',
  'http://0.0.0.0/',
  'http://[fe80::1]/',
  'http://[fc00::1]/',
  'http://100.64.0.1/',
  'http://169.254.169.254/',
  'http://10.1.2.3/',
  'http://192.168.1.1/',
  'http://2130706433/',
  'http://0x7f.0.0.1/',
  'http://0177.0.0.1/',
  'http://[64:ff9b::7f00:1]/',
  'http://[2002:7f00:1::]/',
  'http://255.255.255.255/',
];

describe('webhook URL guard', () => {
  it.each(REFUSED)('when the URL is %s, then it is refused as internal', async (url) => {
    await expect(assertDeliverableUrl(url, false)).rejects.toThrow(/private, loopback or reserved/);
  });

  it('when the address is public unicast (IPv4, IPv6 or IPv4-mapped public), then it is accepted', async () => {
    expect((await assertDeliverableUrl('https://8.8.8.8/hooks', false)).toString()).toBe('https://8.8.8.8/hooks');
    expect((await assertDeliverableUrl('https://[2606:4700::1111]/hooks', false)).hostname).toBe('[2606:4700::1111]');
    expect(isInternalAddress('::ffff:8.8.8.8')).toBe(false);
  });

  it('when private addresses are allowed (local development), then a loopback URL is accepted', async () => {
    expect((await assertDeliverableUrl('http://[::ffff:0:7f00:1]:8080/x', true)).port).toBe('8080');
    expect((await assertDeliverableUrl('http://127.0.0.1/x', true)).hostname).toBe('127.0.0.1');
  });

  it('when the text is not an IP address, then the connect-time check treats it as internal (fails closed)', () => {
    expect(isInternalAddress('not-an-ip')).toBe(true);
    expect(isInternalAddress('')).toBe(true);
  });
});
