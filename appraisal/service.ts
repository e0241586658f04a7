// The appraisal domain wired to the expert commission (commission/index.ts): what the server,
// the CLI and the tests call. Every function checks the actor's role itself.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import type { Actor } from '../audit/audit.service';
import { decisionOn, proposeAgendaItem } from '../commission';
import type { Storage } from '../storage';
import { restoreKeptInClear } from '../destruction/unseal';
import { createActsService, type CommissionPort, type SignatureVerifier } from './acts';
import { appraisalList, applyCommissionDecisions, decide, decisionsOf, type AppraisalFilter, type DecideInput } from './appraisal';
import { getHold, heldDossiers, liftHold, listHolds, placeHold, type PlaceHoldInput } from './holds';

/** The commission as appraisal uses it: proposals and their decisions. */
export const COMMISSION: CommissionPort = { proposeAgendaItem, decisionOn };

export interface AppraisalDeps {
  db: Kysely<Database>;
  storage?: Storage;
  verifySignature?: SignatureVerifier;
  trustDir?: string;
  commission?: CommissionPort;
  now?: () => Date;
}

export function createAppraisalService(deps: AppraisalDeps) {
  const { db } = deps;
  const commission = deps.commission ?? COMMISSION;
  const acts = createActsService({ ...deps, commission });
  return {
    acts,
    list: (filter: AppraisalFilter) => appraisalList(db, filter),
    decide: (actor: Actor, input: DecideInput) => decide(db, actor, commission, input),
    decisionsOf: (dossierId: string) => decisionsOf(db, dossierId),
    /**
     * The commission's decisions applied; then every dossier kept permanently whose content is
     * still sealed is re-stored in clear (destruction/unseal.ts) — when the service has storage.
     */
    applyCommissionDecisions: async (actor: Actor) => {
      const applied = await applyCommissionDecisions(db, actor, commission);
      if (!deps.storage) return applied;
      const { restored, failed } = await restoreKeptInClear({ db, storage: deps.storage, now: deps.now }, actor);
      return applied.map((a) => {
        const done = restored.find((r) => r.dossierId === a.dossierId);
        const error = failed.find((f) => f.dossierId === a.dossierId);
        return done ? { ...a, storedInClear: { objects: done.objects, manifest: done.manifest } } : error ? { ...a, storedInClearError: error.error } : a;
      });
    },
    holds: {
      list: (filter?: { active?: boolean }) => listHolds(db, filter),
      get: (id: string) => getHold(db, id),
      place: (actor: Actor, input: PlaceHoldInput) => placeHold(db, actor, input),
      lift: (actor: Actor, id: string, input: { reason: string }) => liftHold(db, actor, id, input),
      held: (dossierIds: string[]) => heldDossiers(db, dossierIds),
    },
  };
}

export type AppraisalService = ReturnType<typeof createAppraisalService>;
