// The audit log: hash-chained events, their verification and the anchors kept outside the database.
export {
  SYSTEM_ACTOR,
  GENESIS_HASH,
  audit,
  computeAuditHash,
  listAuditEvents,
  recordAudit,
  verifyAuditChain,
  type Actor,
  type AuditBreakReason,
  type AuditChainReport,
  type AuditEventInput,
  type AuditEventView,
} from './audit.service';
export * from './audit-anchor';
