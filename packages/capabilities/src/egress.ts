import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { IntelGraphError } from '@intelgraph/core';
import { anyScopeCovers } from './scope.js';

/** Resolves a host name to its addresses (the `dns.promises.lookup(host, { all: true })` shape). */
export type HostResolver = (host: string) => Promise<{ address: string; family: number }[]>;

/** Options of {@link createEgressGuard}. */
export interface EgressGuardOptions {
  /** Allow private, loopback, link-local and other non-public addresses. Default `false`. */
  allowPrivate?: boolean;
  /** DNS resolver, injectable for tests; defaults to the system resolver. */
  resolve?: HostResolver;
  /** Allowed URL protocols. Default `['https:', 'http:']`. */
  protocols?: readonly string[];
}

/** A URL that passed the egress checks, with the addresses a connection may use. */
export interface EgressTarget {
  url: URL;
  host: string;
  port: number;
  /** The scope that allowed it, `net:<host>:<port>`. */
  scope: string;
  /** Vetted addresses: connect only to these (pins DNS, so a rebinding answer cannot sneak in). */
  addresses: { address: string; family: 4 | 6 }[];
}

/** Decides whether a plugin may connect to a URL. Built with {@link createEgressGuard}. */
export interface EgressGuard {
  /**
   * Checks a URL against the granted `net:` scopes and the address policy. Throws
   * `CAPABILITY_DENIED` (details: `reason` = `protocol | scope | private_address | unresolvable`).
   */
  check(url: string, grantedScopes: readonly string[]): Promise<EgressTarget>;
  /** Whether an IP address is refused by the private-address policy. */
  isRefusedAddress(address: string): boolean;
}

function nonPublicRanges(): BlockList {
  const b = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  for (const [net, prefix] of v4) b.addSubnet(net, prefix, 'ipv4');
  const v6: [string, number][] = [
    ['::', 128],
    ['::1', 128],
    ['64:ff9b::', 96],
    ['64:ff9b:1::', 48],
    ['100::', 64],
    ['2001::', 23],
    ['2001:db8::', 32],
    ['2002::', 16],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
  ];
  for (const [net, prefix] of v6) b.addSubnet(net, prefix, 'ipv6');
  return b;
}

const RANGES = nonPublicRanges();

function embeddedV4(address: string): string | null {
  // IPv4-mapped (::ffff:a.b.c.d or ::ffff:xxxx:xxxx) and IPv4-compatible forms.
  const m = /^::(?:ffff:)?(?:0:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m?.[1]) return m[1];
  const h = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (h?.[1] && h[2]) {
    const hi = Number.parseInt(h[1], 16);
    const lo = Number.parseInt(h[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/**
 * Whether an address is private, loopback, link-local, multicast, reserved or otherwise not public
 * (IPv4, IPv6, and IPv4 embedded in IPv6). Anything that is not an IP address counts as refused.
 *
 * @example
 * ```ts
 * import { isNonPublicAddress } from '@intelgraph/capabilities';
 * isNonPublicAddress('169.254.169.254'); // true (cloud metadata)
 * isNonPublicAddress('::ffff:127.0.0.1'); // true
 * isNonPublicAddress('93.184.215.14'); // false
 * ```
 */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return RANGES.check(address, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(address);
    if (v4 !== null) return isIP(v4) !== 4 || RANGES.check(v4, 'ipv4');
    return RANGES.check(address, 'ipv6');
  }
  return true;
}

const defaultResolve: HostResolver = (host) => dnsLookup(host, { all: true, verbatim: true });

function deny(reason: string, message: string, details: Record<string, unknown> = {}): IntelGraphError {
  return new IntelGraphError('CAPABILITY_DENIED', message, { details: { reason, ...details } });
}

/**
 * Creates the egress guard: deny by default, allow only hosts covered by a granted `net:` scope, and
 * refuse private, loopback and link-local addresses (after DNS resolution) unless the host opts in.
 *
 * @example
 * ```ts
 * import { createEgressGuard } from '@intelgraph/capabilities';
 * const guard = createEgressGuard();
 * await guard.check('https://api.example.com/v1', ['net:api.example.com']); // ok
 * await guard.check('http://169.254.169.254/', ['net:*']); // throws CAPABILITY_DENIED (private_address)
 * ```
 */
export function createEgressGuard(options: EgressGuardOptions = {}): EgressGuard {
  const allowPrivate = options.allowPrivate ?? false;
  const resolve = options.resolve ?? defaultResolve;
  const protocols = new Set(options.protocols ?? ['https:', 'http:']);
  const refused = (a: string) => !allowPrivate && isNonPublicAddress(a);
  return {
    isRefusedAddress: refused,
    async check(raw, grantedScopes) {
      let url: URL;
      try {
        url = new URL(String(raw).slice(0, 4096));
      } catch {
        throw new IntelGraphError('INVALID_INPUT', 'not a valid URL');
      }
      if (!protocols.has(url.protocol)) throw deny('protocol', `protocol ${url.protocol} is not allowed`);
      if (url.username || url.password) throw deny('protocol', 'credentials in URLs are not allowed');
      const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
      const scope = `net:${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
      if (isIP(host) === 6 || !anyScopeCovers(grantedScopes, `net:${host}:${port}`)) {
        throw deny('scope', `egress to ${host}:${port} is not granted`, { host, port, scope });
      }
      let addresses: { address: string; family: 4 | 6 }[];
      if (isIP(host)) {
        addresses = [{ address: host, family: isIP(host) as 4 | 6 }];
      } else {
        try {
          addresses = (await resolve(host)).map((a) => ({
            address: a.address,
            family: a.family === 6 ? 6 : 4,
          }));
        } catch {
          throw deny('unresolvable', `cannot resolve ${host}`, { host });
        }
      }
      if (addresses.length === 0) throw deny('unresolvable', `cannot resolve ${host}`, { host });
      const bad = addresses.find((a) => refused(a.address));
      if (bad) {
        throw deny('private_address', `egress to non-public address ${bad.address} is refused`, {
          host,
          address: bad.address,
        });
      }
      return { url, host, port, scope, addresses };
    },
  };
}
