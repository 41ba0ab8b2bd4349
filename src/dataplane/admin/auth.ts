import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * AdminAuth checks the `Authorization: Bearer <token>` of admin requests when a token is set
 * (`--admin-token` / `--admin-token-file`). Both sides are hashed to the same length first so
 * timingSafeEqual compares in constant time whatever the caller sent (RFC 6750 section 2.1).
 * `GET /status` and `GET /status/ready` stay open: kubelet probes carry no token and it reveals only counters and the
 * configuration hash. So does the dashboard page (`GET /dashboard`), which holds no data.
 */
export class AdminAuth {
  private readonly digest: Buffer | null;

  constructor(token: string | undefined) {
    this.digest = token ? sha256(token) : null;
  }

  get enabled(): boolean {
    return this.digest !== null;
  }

  allows(req: IncomingMessage, path: string): boolean {
    if (this.digest === null) return true;
    if (req.method === 'GET' && (path === '/status' || path === '/status/ready')) return true;
    // The dashboard page is static (no data); its script asks for the token and sends it.
    if (req.method === 'GET' && path === '/dashboard') return true;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    return match !== null && timingSafeEqual(sha256(match[1]!), this.digest);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
