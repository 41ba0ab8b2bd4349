import type { ServerResponse } from 'node:http';
import type { ParsedPath } from './resources.js';

/** The stand-in's wire answers: JSON bodies and metav1.Status failures, as kube-apiserver words them. */

export function goneStatus(): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version', reason: 'Expired', code: 410 };
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatus(res: ServerResponse, code: number, reason: string, message: string, details?: object): void {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

/** sendForbidden: the RBAC denial's Status, as kube-apiserver words it (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go). */
export function sendForbidden(res: ServerResponse, verb: string, p: ParsedPath): void {
  const { group, plural } = p.resource;
  const resource = group ? `${plural}.${group}` : plural;
  const scope = p.namespace ? `in the namespace "${p.namespace}"` : 'at the cluster scope';
  const message = `${resource}${p.name ? ` "${p.name}"` : ''} is forbidden: User "system:serviceaccount:kong:berth" cannot ${verb} resource "${plural}" in API group "${group}" ${scope}`;
  sendStatus(res, 403, 'Forbidden', message, { ...(p.name ? { name: p.name } : {}), group, kind: plural });
}
