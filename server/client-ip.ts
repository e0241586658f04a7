// The client's address for throttling, sessions and the log. X-Forwarded-For is believed only
// hop by hop from configured proxies (MURAGAT_TRUSTED_PROXIES): walking from the connection's
// peer towards the client, each address is taken only while the one after it is a trusted
// proxy. Without trusted proxies the header is ignored, so rotating it gains an attacker
// nothing. proxy-addr is the implementation Express uses for the same rule.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export type ClientAddress = (req: IncomingMessage) => string;

export function clientAddressResolver(trustedProxies: readonly string[]): ClientAddress {
  if (!trustedProxies.length) return (req) => normalise(req.socket.remoteAddress ?? '');
  const trust = proxyaddr.compile([...trustedProxies]);
  return (req) => normalise(proxyaddr(req, trust));
}

/** `::ffff:10.0.0.1` → `10.0.0.1`: one address, one throttling key. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
