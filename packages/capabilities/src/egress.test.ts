import { describe, expect, it } from 'vitest';
import { createEgressGuard, isNonPublicAddress } from './egress.js';

describe('isNonPublicAddress', () => {
  it('refuses private, loopback, link-local, mapped and reserved addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '100.64.0.1',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      'not-an-ip',
    ]) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(isNonPublicAddress(a), a).toBe(false);
  });
});

describe('createEgressGuard', () => {
  const resolve = async (host: string) => {
    const table: Record<string, string> = {
      'api.example.com': '93.184.215.14',
      'rebind.example.com': '127.0.0.1',
      'meta.example.com': '169.254.169.254',
    };
    const address = table[host];
    if (!address) throw new Error('ENOTFOUND');
    return [{ address, family: 4 }];
  };

  it('allows a granted public host and returns the vetted addresses', async () => {
    const t = await createEgressGuard({ resolve }).check('https://api.example.com/v1?q=1', [
      'net:api.example.com',
    ]);
    expect(t).toMatchObject({
      host: 'api.example.com',
      port: 443,
      scope: 'net:api.example.com:443',
      addresses: [{ address: '93.184.215.14', family: 4 }],
    });
  });

  it('denies by default, by host, by port, by protocol and for credentials', async () => {
    const guard = createEgressGuard({ resolve });
    const cases: [string, string[], string][] = [
      ['https://api.example.com/', [], 'scope'],
      ['https://other.example.com/', ['net:api.example.com'], 'scope'],
      ['https://api.example.com:8443/', ['net:api.example.com:443'], 'scope'],
      ['file:///etc/passwd', ['net:*'], 'protocol'],
      ['https://u:p@api.example.com/', ['net:api.example.com'], 'protocol'],
      ['http://[::1]/', ['net:*'], 'scope'],
      ['https://nx.example.com/', ['net:*'], 'unresolvable'],
    ];
    for (const [url, scopes, reason] of cases) {
      await expect(guard.check(url, scopes), url).rejects.toMatchObject({
        code: 'CAPABILITY_DENIED',
        details: { reason },
      });
    }
  });

  it('refuses private addresses, also behind DNS, unless the host opts in', async () => {
    const guard = createEgressGuard({ resolve });
    for (const url of [
      'http://127.0.0.1/',
      'http://169.254.169.254/latest/meta-data',
      'http://rebind.example.com/',
      'http://meta.example.com/',
    ]) {
      await expect(guard.check(url, ['net:*']), url).rejects.toMatchObject({
        code: 'CAPABILITY_DENIED',
        details: { reason: 'private_address' },
      });
    }
    const open = createEgressGuard({ resolve, allowPrivate: true });
    expect(
      (await open.check('http://rebind.example.com/', ['net:rebind.example.com'])).addresses[0]?.address,
    ).toBe('127.0.0.1');
  });
});
