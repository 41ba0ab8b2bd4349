import { randomInt } from 'node:crypto';

/**
 * Name rules of kube-apiserver, from staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go
 * (IsDNS1123Subdomain, IsDNS1123Label, IsDNS1035Label, IsQualifiedName) and
 * staging/src/k8s.io/apimachinery/pkg/api/validation/generic.go (NameIsDNSSubdomain & co., whose
 * `prefix` form masks one trailing '-' so "web-" is a valid generateName). Each returns the real
 * messages, empty when the value is valid.
 */

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';

export function isDns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${DNS1123_SUBDOMAIN}$`).test(value)) {
    errs.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`);
  }
  return errs;
}

export function isDns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!new RegExp(`^${DNS1123_LABEL}$`).test(value)) {
    errs.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL}')`);
  }
  return errs;
}

export function isDns1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!new RegExp(`^${DNS1035_LABEL}$`).test(value)) {
    errs.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${DNS1035_LABEL}')`);
  }
  return errs;
}

/** isQualifiedName: "[prefix/]name" as labels keys and Event.reportingController use. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name = parts[0]!;
  const errs: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!new RegExp(`^${QUALIFIED_NAME}$`).test(name)) {
    errs.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}')`);
  }
  return errs;
}

export type NameRule = (name: string, prefix: boolean) => string[];

/** maskTrailingDash: a generateName may end in '-' (generic.go), the random suffix completes it. */
function masked(rule: (v: string) => string[]): NameRule {
  return (name, prefix) => rule(prefix && name.endsWith('-') ? `${name.slice(0, -1)}a` : name);
}

export const nameIsDnsSubdomain = masked(isDns1123Subdomain);
export const nameIsDnsLabel = masked(isDns1123Label);
export const nameIsDns1035Label = masked(isDns1035Label);

/**
 * generateName: staging/src/k8s.io/apiserver/pkg/storage/names/generate.go (SimpleNameGenerator):
 * the base is cut to 58 characters and 5 random characters from utilrand's alphabet are appended.
 */
const RANDOM_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATED_BASE = 63 - 5;

export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += RANDOM_ALPHABET[randomInt(RANDOM_ALPHABET.length)];
  return base.slice(0, MAX_GENERATED_BASE) + suffix;
}
