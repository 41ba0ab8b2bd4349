import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Sticky session values: opaque, authenticated, address-free.
 *
 * A value is base64url of 39 bytes (52 characters, no padding, so every value has exactly one
 * encoding and a flipped character never decodes to the same bytes):
 *
 *   [0] version  [1..2] key id  [3..18] session id  [19..22] expiry (uint32 s, 0 = none)  [23..38] MAC
 *
 * The session id is HMAC(idKey, identity) truncated to 16 bytes: it names the target's identity
 * (pod UID, else address) without revealing it, and a new pod reusing an old address has a new
 * identity and so a new id. The MAC (HMAC(macKey, bytes 0..22) truncated to 16 bytes) lets a
 * verifier tell a valid value whose target is gone from a forgery. Nothing is stored server
 * side: two processes with the same secret compute the same values.
 *
 * Verification cannot recover the identity from the id, so `verifySessionToken` returns the
 * session id and the sticky balancer keeps `Map<sessionId, TargetState>`, filled from
 * `sessionIdsOf` for every key (old keys included), which keeps lookup O(1) in targets.
 */

const VERSION = 1;
const TOKEN_BYTES = 39;
/** Length of every valid value; anything else is rejected before decoding. */
export const TOKEN_LENGTH = 52;
const ID_END = 19;
const MAC_START = 23;
const BASE64URL = /^[A-Za-z0-9_-]{52}$/;

/** SessionKey: one secret, expanded into separate keys for ids and MACs. */
export interface SessionKey {
  /** Two bytes derived from the secret, so any process computes the same id for the same key. */
  readonly kid: number;
  readonly idKey: Buffer;
  readonly macKey: Buffer;
}

function deriveKey(secret: Buffer): SessionKey {
  const derive = (label: string): Buffer => createHmac('sha256', secret).update(label).digest();
  return {
    kid: derive('berth session kid v1').readUInt16BE(0),
    idKey: derive('berth session id v1'),
    macKey: derive('berth session mac v1'),
  };
}

/** SessionKeyring: the first key signs, every key verifies (rotation). */
export class SessionKeyring {
  private constructor(
    /** All keys, signing key first. */
    readonly keys: readonly SessionKey[],
    /** True when no secret was configured and the keys are random to this process. */
    readonly generated: boolean,
  ) {}

  static fromSecrets(secrets: string[]): SessionKeyring {
    const usable = secrets.map((s) => s.trim()).filter((s) => s.length > 0);
    if (usable.length === 0) throw new Error('session keyring needs at least one non-empty secret');
    return new SessionKeyring(
      usable.map((s) => deriveKey(Buffer.from(s, 'utf8'))),
      false,
    );
  }

  /** fromKeys: the keyring another process derived (--workers: the primary hands its keys over). */
  static fromKeys(keys: readonly SessionKey[], generated: boolean): SessionKeyring {
    if (keys.length === 0) throw new Error('session keyring needs at least one key');
    return new SessionKeyring(keys.map((k) => ({ kid: k.kid, idKey: Buffer.from(k.idKey), macKey: Buffer.from(k.macKey) })), generated);
  }

  static random(): SessionKeyring {
    return new SessionKeyring([deriveKey(randomBytes(32))], true);
  }

  get primary(): SessionKey {
    return this.keys[0]!;
  }
}

const GENERATED_WARNING =
  'no session secret configured (--session-secret, --session-secret-file or BERTH_SESSION_SECRET): ' +
  'using a random one; gateway replicas will not agree on sticky sessions and every restart ' +
  'moves all sessions';

const SHORT_SECRET_CHARS = 16;

/**
 * loadSessionSecrets: the flag value (comma-separated) and the file (one secret per line) are
 * combined in that order; without either, BERTH_SESSION_SECRET and BERTH_SESSION_SECRET_FILE
 * from `env`. Throws a readable error when the file cannot be read.
 */
export function loadSessionSecrets(opts: {
  secret?: string;
  secretFile?: string;
  env?: NodeJS.ProcessEnv;
}): { keyring: SessionKeyring; warning?: string } {
  let secrets = collectSecrets(opts.secret, opts.secretFile);
  if (secrets.length === 0 && opts.env) {
    secrets = collectSecrets(opts.env['BERTH_SESSION_SECRET'], opts.env['BERTH_SESSION_SECRET_FILE']);
  }
  if (secrets.length === 0) return { keyring: SessionKeyring.random(), warning: GENERATED_WARNING };
  const keyring = SessionKeyring.fromSecrets(secrets);
  if (secrets.some((s) => s.length < SHORT_SECRET_CHARS)) {
    return { keyring, warning: `a session secret is shorter than ${SHORT_SECRET_CHARS} characters; use a long random value` };
  }
  return { keyring };
}

function collectSecrets(list: string | undefined, file: string | undefined): string[] {
  const out = list ? list.split(',') : [];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read session secret file ${file}: ${(err as Error).message}`);
    }
    out.push(...text.split('\n'));
  }
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

function rawSessionId(key: SessionKey, identity: string): Buffer {
  return createHmac('sha256', key.idKey).update(identity, 'utf8').digest().subarray(0, ID_END - 3);
}

function sessionIdString(kid: number, raw: Buffer): string {
  const buf = Buffer.allocUnsafe(ID_END - 1);
  buf.writeUInt16BE(kid, 0);
  raw.copy(buf, 2);
  return buf.toString('base64url');
}

/** sessionIdsOf: the session id of `identity` under every key of the ring, signing key first. */
export function sessionIdsOf(keyring: SessionKeyring, identity: string): string[] {
  return keyring.keys.map((k) => sessionIdString(k.kid, rawSessionId(k, identity)));
}

function mac(key: SessionKey, buf: Buffer): Buffer {
  return createHmac('sha256', key.macKey).update(buf.subarray(0, MAC_START)).digest();
}

/**
 * encodeSessionToken: the value a client carries for `identity`, signed with the first key.
 * Deterministic: the same keyring, identity and expiry always give the same string.
 */
export function encodeSessionToken(keyring: SessionKeyring, identity: string, expiresAtSec?: number): string {
  const key = keyring.primary;
  const buf = Buffer.alloc(TOKEN_BYTES);
  buf[0] = VERSION;
  buf.writeUInt16BE(key.kid, 1);
  rawSessionId(key, identity).copy(buf, 3);
  const expiry = expiresAtSec === undefined ? 0 : Math.min(0xffffffff, Math.max(1, Math.floor(expiresAtSec)));
  buf.writeUInt32BE(expiry, ID_END);
  mac(key, buf).copy(buf, MAC_START, 0, TOKEN_BYTES - MAC_START);
  return buf.toString('base64url');
}

/** sessionTokenExpiry: the expiry (epoch seconds, 0 = none) of a value that already verified. */
export function sessionTokenExpiry(value: string): number {
  return Buffer.from(value, 'base64url').readUInt32BE(ID_END);
}

/**
 * verifySessionToken: the session id (as `sessionIdsOf` spells it) carried by a value that is
 * well formed, signed by a key of the ring and not expired at `nowSec`; otherwise null.
 * Never throws, whatever `value` holds.
 */
export function verifySessionToken(keyring: SessionKeyring, value: string, nowSec: number): string | null {
  if (typeof value !== 'string' || value.length !== TOKEN_LENGTH || !BASE64URL.test(value)) return null;
  const buf = Buffer.from(value, 'base64url');
  if (buf.length !== TOKEN_BYTES || buf[0] !== VERSION) return null;
  const expiry = buf.readUInt32BE(ID_END);
  if (expiry !== 0 && expiry <= nowSec) return null;
  const kid = buf.readUInt16BE(1);
  const tag = buf.subarray(MAC_START);
  for (const key of keyring.keys) {
    if (key.kid !== kid) continue;
    if (timingSafeEqual(mac(key, buf).subarray(0, tag.length), tag)) return buf.toString('base64url', 1, ID_END);
  }
  return null;
}
