import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const UPSTREAM_POLICY_CRD_FILE = 'deploy/crds/configuration.konghq.com_kongupstreampolicies.yaml';

/** JsonSchema: the part of an openAPIV3Schema node the validator walks. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  'x-kubernetes-validations'?: CelRuleSpec[];
  [keyword: string]: unknown;
}

/** CelRuleSpec: one x-kubernetes-validations entry. */
export interface CelRuleSpec {
  rule: string;
  message?: string;
  fieldPath?: string;
}

/**
 * packageRoot walks up from this module to the directory holding package.json, so the CRD is
 * found from src/ (tsx) and from dist/ (built) alike.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
}

/** loadPolicySpecSchema reads the CRD and returns the served version's `spec` schema. */
export function loadPolicySpecSchema(file: string = join(packageRoot(), UPSTREAM_POLICY_CRD_FILE)): JsonSchema {
  const crd = parseYaml(readFileSync(file, 'utf8')) as {
    spec?: { versions?: Array<{ name: string; schema?: { openAPIV3Schema?: JsonSchema } }> };
  };
  const version = crd.spec?.versions?.find((v) => v.name === 'v1beta1');
  const spec = version?.schema?.openAPIV3Schema?.properties?.spec;
  if (spec === undefined) throw new Error(`${file}: no v1beta1 openAPIV3Schema.properties.spec`);
  return spec;
}
