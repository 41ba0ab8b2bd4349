import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { CertificateConfig } from '../types.js';
import type { Issues, PathSeg } from './issues.js';
import { Scope, isObj } from './scope.js';

/** validateCertificate checks that cert and key are PEM that Node can load, and the SNI names. */
export function validateCertificate(issues: Issues, raw: unknown, path: PathSeg[]): CertificateConfig | undefined {
  const id = isObj(raw) && typeof raw.id === 'string' ? raw.id : undefined;
  const s = new Scope(issues, { type: 'certificate', name: id, path }, isObj(raw) ? raw : {});
  if (!isObj(raw)) return void s.err(null, 'expected a record');
  s.unknown(['cert', 'key', 'snis', 'cert_alt', 'key_alt']);
  const cert = s.str('cert', true);
  const key = s.str('key', true);
  const x509 = cert === undefined ? undefined : load(() => new X509Certificate(cert), cert);
  const pkey = key === undefined ? undefined : load(() => createPrivateKey(key), key);
  if (cert !== undefined && !x509) s.err('cert', 'invalid certificate: not a PEM certificate');
  if (key !== undefined && !pkey) s.err('key', 'invalid key: not a PEM private key');
  if (x509 && pkey && !x509.checkPrivateKey(pkey)) s.err('key', 'certificate does not match key');
  const snis = snisOf(s);
  if (cert === undefined || key === undefined) return undefined;
  const out: CertificateConfig = { cert, key, snis };
  if (id !== undefined) out.id = id;
  const tags = s.tags();
  if (tags) out.tags = tags;
  return out;
}

function load<T>(fn: () => T, pem: string): T | undefined {
  if (!pem.includes('-----BEGIN')) return undefined;
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function snisOf(s: Scope): string[] {
  const raw = s.obj.snis;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    s.err('snis', 'expected an array');
    return [];
  }
  const out: string[] = [];
  raw.forEach((item, i) => {
    const name = typeof item === 'string' ? item : isObj(item) && typeof item.name === 'string' ? item.name : undefined;
    if (name === undefined || !/^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?$/i.test(name)) s.err(['snis', i], 'invalid SNI name');
    else out.push(name.toLowerCase());
  });
  return out;
}
