// Table types of signer identity (catalog/migrations/202612066000_signer_bindings.ts).
import type { Generated } from 'kysely';

export type SignerBindingKind = 'certificate' | 'iin';
export type SignerBindingStatus = 'active' | 'pending' | 'removed';

export interface SignerBindingsTable {
  id: Generated<string>;
  user_id: string;
  kind: SignerBindingKind;
  status: SignerBindingStatus;
  origin: 'admin' | 'first-use';
  iin: string | null;
  /** DER, base64. */
  certificate_der: string | null;
  certificate_sha256: string | null;
  subject: string | null;
  issuer: string | null;
  serial_number: string | null;
  not_before: Date | null;
  not_after: Date | null;
  created_at: Generated<Date>;
  created_by: string;
  confirmed_at: Date | null;
  confirmed_by: string | null;
  removed_at: Date | null;
  removed_by: string | null;
  removed_reason: string | null;
}

export interface SignerTables {
  signer_bindings: SignerBindingsTable;
}
