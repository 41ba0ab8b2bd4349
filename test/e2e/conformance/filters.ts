// HTTPRoute filter cases (redirects, rewrites, header modifiers) and the Extended matching cases
// berth's router covers, ported from kubernetes-sigs/gateway-api conformance/tests/ (each case
// names its file).
import type { Case } from './cases.js';

export const FILTER_CASES: Case[] = [];
