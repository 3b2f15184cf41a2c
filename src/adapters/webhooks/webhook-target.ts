/**
 * Which webhook targets the connector refuses to POST to: addresses inside the network it runs in (loopback,
 * private ranges, link-local, unspecified), so a webhook cannot be aimed at internal services. A URL is checked when
 * the endpoint is registered (its host as written, and what it resolves to) and again before every delivery (what
 * the host resolves to then, against DNS rebinding). The configuration may allow such targets (local receivers).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const refused = new BlockList();
const ranges: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
];
const kinds = ranges.map(([net, prefix, type, kind]) => {
  const one = new BlockList();
  one.addSubnet(net, prefix, type);
  refused.addSubnet(net, prefix, type);
  return { list: one, type, kind };
});

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`), else the address. */
function unmapped(address: string): string {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted?.[1]) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex?.[1] || !hex[2]) return address;
  const high = Number.parseInt(hex[1], 16);
  const low = Number.parseInt(hex[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why an IP address is refused as a webhook target (`loopback`, `private`, …), or null when it is public. */
export function refusedAddressKind(address: string): string | null {
  const ip = unmapped(address);
  const family = isIP(ip);
  if (family === 0) return null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (!refused.check(ip, type)) return null;
  return kinds.find((k) => k.type === type && k.list.check(ip, type))?.kind ?? 'private';
}

/** Resolves a host name to its addresses; the default is the system resolver, as `fetch` uses. */
export type ResolveHost = (host: string) => Promise<readonly string[]>;

const systemResolve: ResolveHost = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * Why a webhook URL's target is refused (a sentence naming the host and the address), or null when it may be sent
 * to. A host that does not resolve is not refused here: the request to it fails as any unreachable host does.
 */
export async function refusedTarget(url: string, resolve: ResolveHost = systemResolve): Promise<string | null> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return null;
  }
  const literal = refusedAddressKind(host);
  if (literal) return `${host} is a ${literal} address`;
  if (isIP(unmapped(host)) !== 0) return null;
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return `${host} is a loopback host`;
  let addresses: readonly string[];
  try {
    addresses = await resolve(host);
  } catch {
    return null;
  }
  for (const address of addresses) {
    const kind = refusedAddressKind(address);
    if (kind) return `${host} resolves to ${address}, a ${kind} address`;
  }
  return null;
}
