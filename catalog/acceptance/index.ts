// The archive's acceptance of stored transfers (App. 33): accept with the acceptance act, or
// return with the reason; the organisation head approves the act.
export {
  acceptedInWords,
  createAcceptanceService,
  type AcceptInput,
  type AcceptanceService,
  type ActRenderer,
  type ActView,
  type DecisionView,
} from './acceptance.service';
export { dossierAccepted } from './accepted';
export type { AcceptanceTables, ActPerson, ActRenditions, ActRow, ActStatus, ActTotals } from './tables';
