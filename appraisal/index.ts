// The appraisal domain (issue 12): the appraisal list with the appraiser's decisions, holds, and
// destruction acts (BRIEF §9). Other domains use:
//   loadActForExecution(db, actId)   — the act and its rows, for destruction/ to execute
//   heldDossiers(db, dossierIds)     — which dossiers are under a legal or audit hold
//   markActExecuted(trx, actId, …)   — the destruction mark on an approved act, audited
//   appraisalList(db, { by, fonds?, year?, department?, article?, page?, pageSize? }) — the
//     appraisal list, one SQL query paged and grouped (the server, the CLI and bench/scale call it)
export { heldDossiers, listHolds, getHold, placeHold, liftHold, HOLD_KINDS, HOLD_SCOPES, type HoldView, type PlaceHoldInput } from './holds';
export {
  createActsService,
  loadActForExecution,
  markActExecuted,
  permanentInventoriesOf,
  ACT_APPROVERS,
  ACT_DRAFTERS,
  ACT_READERS,
  type ActForExecution,
  type ActView,
  type ActSummary,
  type ActsService,
  type ActsDeps,
  type CommissionPort,
  type CommissionDecision,
  type AgendaItemKind,
} from './acts';
export { loadAppraisalDossiers, type AppraisalDossier } from './dossiers';
export type { AppraisalTables, DestructionActStatus, HoldScope, HoldKind } from './tables';
export { appraisalList, APPRAISAL_PAGE_SIZE, APPRAISAL_MAX_PAGE_SIZE, applyCommissionDecisions, decide, decisionsOf, DECISION_KINDS, assertIsoDate, type AppraisalEntry, type AppraisalGroup, type AppraisalList, type AppraisalFilter, type DecisionView, type DecideInput, type AppliedDecision } from './appraisal';
export { verifyRegisteredSignature, checkRegisteredSignature, type SignatureVerifier, type SignerRef, type SignatureRefusals } from '../accounts';
export { createAppraisalService, COMMISSION, type AppraisalService, type AppraisalDeps } from './service';
