/**
 * Where upstream calls may go. A provider's base URL is set by an admin, but an admin token can
 * leak, and an upstream name can be made to resolve anywhere: so every connection is checked
 * against the address it actually connects to (the DNS answer is checked inside the connect, no
 * window for a rebinding between a check and the use).
 *
 * Always refused: link-local (169.254.0.0/16, fe80::/10, cloud metadata at 169.254.169.254 and
 * fd00:ec2::254), unspecified, multicast, broadcast and reserved ranges.
 * Refused unless allowed (UPSTREAM_ALLOW_PRIVATE=true, or NODE_ENV development/test): loopback and
 * private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) — a model server on the LAN
 * (Ollama, vLLM) is a legitimate reason to allow them.
 */
import dns from 'node:dns';
import net from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { AnthropicAdapter } from './anthropic.adapter';
import { OpenAiAdapter } from './openai.adapter';
import { ApiStyle } from '../../../common/api-style';
import type { ProviderAdapter } from './provider-adapter';
import { UpstreamError } from './upstream-error';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'reserved';

export interface EgressPolicy {
  /** Loopback and private addresses too (UPSTREAM_ALLOW_PRIVATE, or development/test). */
  allowPrivate: boolean;
}

function v4(ip: string): number[] {
  return ip.split('.').map(Number);
}

function classifyV4(ip: string): AddressClass {
  const [a, b] = v4(ip);
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'private';
  if (a >= 224) return 'reserved'; // multicast, 240/4, broadcast
  if ((a === 192 && b === 0) || (a === 198 && (b === 18 || b === 19))) return 'reserved'; // IETF protocol assignments, benchmarking
  return 'public';
}

/** The class of an IP address (v4 or v6, IPv4-mapped v6 included). */
export function classifyAddress(ip: string): AddressClass {
  const kind = net.isIP(ip);
  if (kind === 4) return classifyV4(ip);
  if (kind !== 6) return 'reserved';
  const lower = ip.toLowerCase();
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return classifyV4(mapped[1]);
  const hexMapped = /^(?:0*:)*:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return classifyV4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  if (lower === '::') return 'unspecified';
  if (lower === '::1') return 'loopback';
  const first = parseInt(lower.split(':')[0] || '0', 16);
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xfe00) === 0xfc00) return 'private'; // unique local (fd00:ec2::254, the AWS metadata v6 address, is refused below)
  if ((first & 0xff00) === 0xff00) return 'reserved'; // multicast
  return 'public';
}

const METADATA = new Set(['169.254.169.254', 'fd00:ec2::254', '100.100.100.200']);

/** Why a connection to `ip` is refused, or null when it is allowed. */
export function egressRefusal(ip: string, policy: EgressPolicy): string | null {
  if (METADATA.has(ip.toLowerCase())) return 'a cloud metadata address';
  const cls = classifyAddress(ip);
  if (cls === 'public') return null;
  if ((cls === 'loopback' || cls === 'private') && policy.allowPrivate) return null;
  return `a ${cls} address`;
}

function refused(host: string, why: string): Error & { code: string } {
  return Object.assign(new Error(`upstream ${host} resolves to ${why}; refused (see UPSTREAM_ALLOW_PRIVATE)`), { code: 'EGRESS_REFUSED' });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** dns.lookup, keeping only the addresses the policy allows (the connection uses what this returns). */
export function guardedLookup(policy: EgressPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const allowed = addresses.filter((a) => egressRefusal(a.address, policy) === null);
      if (!allowed.length) return callback(refused(hostname, egressRefusal(addresses[0]?.address ?? '', policy) ?? 'nothing'), '');
      if (options.all) return callback(null, allowed);
      return callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

/**
 * A fetch whose connections go only where the policy allows: an IP literal is checked here, a host
 * name inside the connection's own DNS lookup.
 */
export function guardedFetch(policy: EgressPolicy): typeof fetch {
  const agent = new Agent({ connect: { lookup: guardedLookup(policy) } });
  return async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (net.isIP(host)) {
      const why = egressRefusal(host, policy);
      if (why) throw new UpstreamError('PROVIDER_ERROR', `upstream ${host} is ${why}; refused (see UPSTREAM_ALLOW_PRIVATE)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UpstreamError('PROVIDER_ERROR', 'upstream URL must be http(s)');
    return (await undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as Response;
  };
}

/** adapterFor (adapters/index.ts) with every adapter's connections under the policy. */
export function guardedAdapters(policy: EgressPolicy): (style: ApiStyle) => ProviderAdapter {
  const fetchImpl = guardedFetch(policy);
  const adapters = new Map<ApiStyle, ProviderAdapter>();
  return (style) => {
    let adapter = adapters.get(style);
    if (!adapter) {
      if (style === ApiStyle.OPENAI) adapter = new OpenAiAdapter({ fetch: fetchImpl });
      else if (style === ApiStyle.ANTHROPIC) adapter = new AnthropicAdapter({ fetch: fetchImpl });
      else throw new UpstreamError('UNSUPPORTED', `unknown API style ${String(style)}`);
      adapters.set(style, adapter);
    }
    return adapter;
  };
}
