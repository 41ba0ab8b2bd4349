import type { Logger } from '../lib/log.js';
import type { TrustedIps } from '../lib/trusted-ips.js';
import type { AccessLog } from './access-log/access-log.js';
import type { ListenerBinding } from './entry-points.js';
import type { Http2Engine } from './http2/engine.js';
import type { KeepaliveSettings } from './proxy/pool.js';
import type { ListenAddress } from './server.js';
import type { SessionKeyring } from './sticky/token.js';
import type { Tracing } from './tracing/tracing.js';
import type { UpstreamDeps } from './upstreams.js';
import type { GroupMember } from './workers/member.js';

/** GatewayOptions: what the CLI (cli/commands/) sets up the data plane with (gateway.ts). */
export interface GatewayOptions {
  proxyListen: ListenAddress;
  proxyListenTls?: ListenAddress;
  adminListen?: ListenAddress;
  keyring: SessionKeyring;
  log: Logger;
  shutdownTimeoutMs?: number;
  /** ms to keep answering after SIGTERM, readiness failing, before stopping (--shutdown-delay). */
  shutdownDelayMs?: number;
  /** Open client connections the proxy accepts at most; 0 or absent = no limit (--max-connections). */
  maxConnections?: number;
  /** --http2-engine: node's http2 or berth's own for h2 clients; absent = the default (http2/engine.ts). */
  http2Engine?: Http2Engine;
  /** Upstream keep-alive pools (--upstream-keepalive-*); absent = Kong's defaults. */
  upstreamKeepalive?: KeepaliveSettings;
  /** Bearer token the admin API requires (all but GET /status); none = open, for a loopback-only admin listener. */
  adminToken?: string;
  /** Where finished requests are logged; null or absent = no access log. */
  accessLog?: AccessLog | null;
  /** Peers whose X-Forwarded-* / Forwarded headers are kept and extended (--trusted-ips). */
  trustedIps?: TrustedIps;
  tracing?: Tracing;
  /** --workers N > 1: this process's part in the group (src/dataplane/workers/); absent = alone. */
  group?: GroupMember;
  /** How Gateway listeners in the config map to extra proxy sockets; absent = none. */
  listenerBinding?: ListenerBinding;
  /** Host-name target lookups (targets/dns.ts); absent = node's resolver with Kong's intervals. */
  dns?: UpstreamDeps['dns'];
}
