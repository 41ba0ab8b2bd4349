import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { loadPolicySpecSchema, type CelRuleSpec, type JsonSchema } from './crd.js';

type Program = ReturnType<typeof plan>;

interface CompiledRule {
  spec: CelRuleSpec;
  program: Program | Error;
}

/** CompiledNode mirrors the schema tree, keeping only what the CEL walk needs. */
interface CompiledNode {
  type: string | undefined;
  rules: CompiledRule[];
  properties: Map<string, CompiledNode>;
  additional: CompiledNode | undefined;
  items: CompiledNode | undefined;
}

const env = celEnv();

function compileRule(spec: CelRuleSpec): CompiledRule {
  try {
    return { spec, program: plan(env, parse(spec.rule)) };
  } catch (err) {
    return { spec, program: err instanceof Error ? err : new Error(String(err)) };
  }
}

function compileNode(schema: JsonSchema): CompiledNode {
  const properties = new Map<string, CompiledNode>();
  for (const [name, child] of Object.entries(schema.properties ?? {})) properties.set(name, compileNode(child));
  const additional = typeof schema.additionalProperties === 'object' ? compileNode(schema.additionalProperties) : undefined;
  return {
    type: schema.type,
    rules: (schema['x-kubernetes-validations'] ?? []).map(compileRule),
    properties,
    additional,
    items: schema.items === undefined ? undefined : compileNode(schema.items),
  };
}

/**
 * toCel converts a JSON value to CEL input the way the API server sees it: objects become maps,
 * integers (schema `type: integer`, or whole numbers without a schema) become CEL ints.
 */
function toCel(value: unknown, node: CompiledNode | undefined): unknown {
  if (Array.isArray(value)) return value.map((v) => toCel(v, node?.items));
  if (value !== null && typeof value === 'object') {
    const map = new Map<string, unknown>();
    for (const [k, v] of Object.entries(value)) map.set(k, toCel(v, node?.properties.get(k) ?? node?.additional));
    return map;
  }
  if (typeof value === 'number' && Number.isInteger(value) && node?.type !== 'number') return BigInt(value);
  return value;
}

function ajvMessage(err: ErrorObject): string {
  if (err.keyword === 'required') return `${String(err.params.missingProperty)}: Required value`;
  if (err.keyword === 'enum') {
    const allowed = (err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
    return `: Unsupported value: supported values: ${allowed}`;
  }
  return `: ${err.message ?? 'invalid'}`;
}

/** pathOf turns ajv's `/hashOn/input` into `spec.hashOn.input`. */
function pathOf(base: string, instancePath: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [base, ...parts].join('.');
}

/**
 * PolicyValidator checks a KongUpstreamPolicy spec against the CRD file: the openAPIV3Schema
 * with ajv, then every x-kubernetes-validations rule with @bufbuild/cel, `self` bound to the node
 * that declares it. Messages start with the field path (`spec.hashOn: ...`), as kubectl prints them.
 */
export class PolicyValidator {
  private readonly schemaCheck: ValidateFunction;
  private readonly root: CompiledNode;
  private readonly cache = new WeakMap<object, string[]>();

  constructor(specSchema: JsonSchema = loadPolicySpecSchema()) {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    this.schemaCheck = ajv.compile(specSchema);
    this.root = compileNode(specSchema);
  }

  /** validate returns every error (empty = valid); results are cached per spec object. */
  validate(spec: unknown): string[] {
    if (spec === null || typeof spec !== 'object') return ['spec: Required value'];
    const cached = this.cache.get(spec);
    if (cached !== undefined) return cached;
    const errors = this.schemaErrors(spec);
    // CEL rules assume a structurally valid object, as the API server only runs them then.
    if (errors.length === 0) this.walk(spec, this.root, 'spec', errors);
    this.cache.set(spec, errors);
    return errors;
  }

  private schemaErrors(spec: object): string[] {
    if (this.schemaCheck(spec)) return [];
    return (this.schemaCheck.errors ?? []).map((e) => {
      const msg = ajvMessage(e);
      const path = pathOf('spec', e.instancePath);
      return msg.startsWith(':') ? `${path}${msg}` : `${path}.${msg}`;
    });
  }

  private walk(value: unknown, node: CompiledNode, path: string, errors: string[]): void {
    if (node.rules.length > 0) this.runRules(value, node, path, errors);
    if (Array.isArray(value)) {
      if (node.items !== undefined) value.forEach((v, i) => this.walk(v, node.items!, `${path}[${i}]`, errors));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const childNode = node.properties.get(key) ?? node.additional;
      if (childNode !== undefined) this.walk(child, childNode, `${path}.${key}`, errors);
    }
  }

  private runRules(value: unknown, node: CompiledNode, path: string, errors: string[]): void {
    const self = toCel(value, node);
    for (const { spec, program } of node.rules) {
      const where = `${path}${spec.fieldPath ?? ''}`;
      if (program instanceof Error) {
        errors.push(`${where}: rule does not compile: ${program.message}`);
        continue;
      }
      const result = program({ self } as never);
      if (isCelError(result)) errors.push(`${where}: rule evaluation failed: ${result.message}`);
      else if (result !== true) errors.push(`${where}: ${spec.message ?? `failed rule: ${spec.rule}`}`);
    }
  }
}
