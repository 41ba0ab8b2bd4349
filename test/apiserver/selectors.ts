/** Selector is a compiled labelSelector or fieldSelector: a predicate over one object. */
export type Selector = (obj: any) => boolean;

const always: Selector = () => true;

/** labelSelector supports k=v, k==v, k!=v, k, !k, k in (a,b), k notin (a,b), comma-joined. */
export function labelSelector(text: string | null): Selector {
  if (!text) return always;
  const terms = splitTerms(text).map(labelTerm);
  return (obj) => {
    const labels: Record<string, string> = obj?.metadata?.labels ?? {};
    return terms.every((t) => t(labels));
  };
}

/** fieldSelector supports path=v, path==v, path!=v (dotted paths such as metadata.name, type). */
export function fieldSelector(text: string | null): Selector {
  if (!text) return always;
  const terms = splitTerms(text).map((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new Error(`unsupported field selector term "${term}"`);
    const [, path, op, value] = m;
    return (obj: any) => (String(fieldAt(obj, path!) ?? '') === value) === (op !== '!=');
  });
  return (obj) => terms.every((t) => t(obj));
}

function fieldAt(obj: any, path: string): unknown {
  return path.split('.').reduce((cur, key) => (cur == null ? undefined : cur[key]), obj);
}

function labelTerm(term: string): (labels: Record<string, string>) => boolean {
  let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m;
    const values = list!.split(',').map((s) => s.trim());
    return (l) => (key! in l && values.includes(l[key!]!)) === (op === 'in');
  }
  m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m;
    return (l) => (l[key!] === value) === (op !== '!=');
  }
  m = /^(!?)([\w./-]+)$/.exec(term);
  if (m) {
    const [, not, key] = m;
    return (l) => (key! in l) === (not === '');
  }
  throw new Error(`unsupported label selector term "${term}"`);
}

/** splitTerms splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
