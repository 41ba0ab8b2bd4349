import { InvalidArgumentError } from 'commander';
import type { ListenerBinding } from '../dataplane/entry-points.js';
import type { ListenAddress } from '../dataplane/server.js';
import { parseListen } from './flags.js';

const LISTENER = /^(?:[^\s/:=]+\/[^\s/:=]+:)?\d{1,5}$/;

/**
 * parseListenerBinding reads `--gateway-listeners`: comma-separated `auto`, `off`, or
 * `LISTENER=HOST:PORT` where LISTENER is a Gateway listener port (`80`) or one Gateway's
 * (`ns/name:80`). `auto` binds every listener not named on its own port, on the Gateway's
 * spec.addresses or else `defaultHost` (the proxy listen host).
 */
export function parseListenerBinding(value: string, defaultHost: string): ListenerBinding {
  const overrides = new Map<string, ListenAddress>();
  let auto = false;
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part === 'auto') auto = true;
    else if (part === 'off') auto = false;
    else {
      const eq = part.indexOf('=');
      const listener = part.slice(0, eq);
      if (eq < 0 || !LISTENER.test(listener)) throw new InvalidArgumentError(`expected auto, off or LISTENER=HOST:PORT (LISTENER: 80 or ns/name:80), got "${part}"`);
      overrides.set(listener, parseListen(part.slice(eq + 1)));
    }
  }
  return { auto, defaultHost, overrides };
}
