// Shapes of the acceptance of transfers (App. 33) as the API answers them.
// The API's own types, so the pages cannot drift from what it answers.
export type { ActPerson, ActRow } from '../../../catalog/acceptance/tables';
export type { ActView, DecisionView } from '../../../catalog/acceptance/acceptance.service';
