import type { Snapshot } from '../snapshot.js';
import type { ObjectStatus, TranslationEvent } from '../types.js';
import { policyValidatorErrors } from './upstream-policy.js';
import { ConditionFactory, TRANSLATION_FAILED, refOf, warning, type PolicyUse } from './status.js';

const MAX_ANCESTORS = 16;
const RANK: Record<PolicyUse['state'], number> = { programmed: 0, invalid: 1, conflicted: 2 };

function ancestorConditions(use: PolicyUse, f: ConditionFactory): unknown[] {
  if (use.state === 'programmed') return [f.make('Accepted', true, 'Accepted'), f.make('Programmed', true, 'Programmed')];
  const reason = use.state === 'conflicted' ? 'Conflicted' : 'Invalid';
  return [f.make('Accepted', false, reason, use.message), f.make('Programmed', false, 'Pending', use.message)];
}

function worstPerService(uses: PolicyUse[]): Map<string, Map<string, PolicyUse>> {
  const byPolicy = new Map<string, Map<string, PolicyUse>>();
  for (const use of uses) {
    const pkey = `${use.policy.namespace}/${use.policy.name}`;
    const skey = `${use.service.namespace}/${use.service.name}`;
    const services = byPolicy.get(pkey) ?? new Map<string, PolicyUse>();
    const seen = services.get(skey);
    if (seen === undefined || RANK[use.state] > RANK[seen.state]) services.set(skey, use);
    byPolicy.set(pkey, services);
  }
  return byPolicy;
}

/**
 * policyStatuses builds `status.ancestors` of every KongUpstreamPolicy from the Services that
 * use it (at most 16, in name order, as the CRD allows), and warns about invalid policies no
 * Service uses yet, since nothing else would tell their author.
 */
export function policyStatuses(
  snapshot: Snapshot,
  uses: PolicyUse[],
  controllerName: string,
  now: string,
): { statuses: ObjectStatus[]; events: TranslationEvent[] } {
  const byPolicy = worstPerService(uses);
  const statuses: ObjectStatus[] = [];
  const events: TranslationEvent[] = [];
  for (const policy of snapshot.list('KongUpstreamPolicy')) {
    const services = byPolicy.get(`${policy.metadata.namespace ?? ''}/${policy.metadata.name}`);
    const previous: any[] = Array.isArray(policy.status?.ancestors) ? policy.status.ancestors : [];
    const others = previous.filter((a) => a?.controllerName !== controllerName);
    if (services === undefined) {
      const errors = policyValidatorErrors(policy.spec);
      if (errors.length > 0) events.push(warning(policy, TRANSLATION_FAILED, `invalid KongUpstreamPolicy: ${errors.join('; ')}`));
      // No Service in use names it any more: withdraw what we reported before.
      if (others.length < previous.length) statuses.push({ ref: refOf(policy), status: { ancestors: others } });
      continue;
    }
    const ours = [...services.keys()].sort().slice(0, Math.max(0, MAX_ANCESTORS - others.length)).map((key) => {
      const use = services.get(key)!;
      const prev = previous.find((a) => a?.controllerName === controllerName && a?.ancestorRef?.namespace === use.service.namespace && a?.ancestorRef?.name === use.service.name);
      const f = new ConditionFactory(now, policy.metadata.generation, prev?.conditions);
      return {
        ancestorRef: { group: '', kind: 'Service', namespace: use.service.namespace, name: use.service.name },
        controllerName,
        conditions: ancestorConditions(use, f),
      };
    });
    statuses.push({ ref: refOf(policy), status: { ancestors: [...others, ...ours] } });
  }
  return { statuses, events };
}
