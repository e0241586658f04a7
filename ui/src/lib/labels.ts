// Words for the codes the API returns (statuses, verdicts, audit actions, object types): one
// catalog key per value, so a person never reads `not-scanned` or `user.create`. A value the
// UI does not know yet gets a generic word, never the code itself; tests/browser/ui-labels.test.ts
// fails when an enum value or an audit action in the code has no key.
import { CATALOGS, type MessageKey } from './messages';

export type LabelFamily =
  | 'transfer'
  | 'document'
  | 'step'
  | 'signature'
  | 'malware'
  | 'dossier'
  | 'integrity_run'
  | 'integrity_phase'
  | 'audit_action'
  | 'audit_object'
  | 'audit_detail';

const PREFIX: Record<LabelFamily, string> = {
  transfer: 'ui.ingest_status_',
  document: 'ui.ingest_status_',
  step: 'ui.ingest_step_status_',
  signature: 'ui.signature_verdict_',
  malware: 'ui.malware_status_',
  dossier: 'ui.dossier_status_',
  integrity_run: 'ui.integrity_status_',
  integrity_phase: 'ui.integrity_phase_',
  audit_action: 'ui.audit_action_',
  audit_object: 'ui.audit_object_',
  audit_detail: 'ui.audit_detail_',
};

const FALLBACK: Record<LabelFamily, MessageKey> = {
  transfer: 'ui.status_unknown',
  document: 'ui.status_unknown',
  step: 'ui.status_unknown',
  signature: 'ui.status_unknown',
  malware: 'ui.status_unknown',
  dossier: 'ui.status_unknown',
  integrity_run: 'ui.status_unknown',
  integrity_phase: 'ui.status_unknown',
  audit_action: 'ui.audit_action_other',
  audit_object: 'ui.audit_object_other',
  audit_detail: 'ui.status_unknown',
};

/** The catalog key for a value (`not-scanned` → `ui.malware_status_not_scanned`), or null if the UI has none. */
export function labelKey(family: LabelFamily, value: string): MessageKey | null {
  // `not-scanned`, `user.create`, `previousManifest` → not_scanned, user_create, previous_manifest.
  const key = `${PREFIX[family]}${value.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[.-]/g, '_').toLowerCase()}`;
  return key in CATALOGS.kk ? (key as MessageKey) : null;
}

/** The value in words, through the given translator (app.t). */
export function statusLabel(t: (key: MessageKey, params?: Record<string, string | number>) => string, family: LabelFamily, value: string): string {
  return t(labelKey(family, value) ?? FALLBACK[family]);
}
