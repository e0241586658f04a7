// The expert commission (issue 12): members, meetings, agenda, votes, the protocol.
// Other domains use `proposeAgendaItem` (ask the commission a question) and `decisionOn` (read
// its answer); "agreed by the commission" = outcome 'adopted' && protocolSigned.
export {
  AGENDA_ITEM_KINDS,
  proposeAgendaItem,
  decisionOn,
  isAgendaItemKind,
  type AgendaItemKind,
  type CommissionDecision,
  type Json,
} from './commission.service';
export * from './commission.service';
