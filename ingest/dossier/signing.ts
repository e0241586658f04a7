// Signatures added after storage: a user signs the inventory or the integrity statement with
// their own key in their own software and uploads the CMS; the server never holds a private
// key. The CMS is verified over the exact stored content before anything is written; the AIP
// then gets a new manifest that adds the signature and the updated dossier metadata.
// A verified signature counts only as the signature of the user its certificate is bound to,
// in a role that signs that statement, for that user's department (accounts/signers.service.ts).
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import { readVerifiedBytes, type Storage } from '../../storage';
import { recordAudit, type Actor } from '../../audit/audit.service';
import { AppError, NotFoundError, ValidationError, ConflictError } from '../../common/errors';
import type { DossierMetadata } from '../../validators/schemas/types';
import { readManifest, putEverywhere, serialiseJson } from '../aip';
import { appendEvidenceEntries } from '../aip/signature-evidence';
import { signatureRecord } from './build';
import { authorizeSigner, type SignerIdentity } from '../../accounts/signers.service';
import type { IngestTools } from '../pipeline/tools';

export interface SigningDeps {
  db: Kysely<Database>;
  storage: Storage;
  trustDir: string;
  tools: Pick<IngestTools, 'verifySignature'>;
}

/** The bytes a signature of each kind covers (what a client downloads to sign). */
export async function signingContent(deps: Pick<SigningDeps, 'db' | 'storage'>, dossierId: string, kind: 'inventory' | 'integrity'): Promise<Buffer> {
  const d = await deps.db.selectFrom('dossiers').select(['inventory_sha256', 'integrity_sha256']).where('id', '=', dossierId).executeTakeFirst();
  if (!d) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: dossierId });
  return readVerifiedBytes(deps.storage, kind === 'inventory' ? d.inventory_sha256 : d.integrity_sha256);
}

export async function attachDossierSignature(
  deps: SigningDeps,
  actor: Actor,
  input: { dossierId: string; kind: 'inventory' | 'integrity'; cms: Uint8Array },
): Promise<{ status: 'awaiting-signature' | 'stored'; manifestSha256: string; verdict: string; signer: string; identity: SignerIdentity }> {
  const d = await deps.db
    .selectFrom('dossiers')
    .innerJoin('transfers', 'transfers.id', 'dossiers.transfer_id')
    .selectAll('dossiers')
    .select('transfers.department as transfer_department')
    .where('dossiers.id', '=', input.dossierId)
    .executeTakeFirst();
  if (!d) throw new NotFoundError('ingest.dossier_not_found', 'ingest.dossier_not_found', { id: input.dossierId });
  const content = await signingContent(deps, d.id, input.kind);
  const check = await deps.tools.verifySignature({ signature: input.cms, content, trustDir: deps.trustDir });
  if (check.verdict !== 'valid') {
    throw new ValidationError('ingest.uploaded_signature_invalid', 'ingest.uploaded_signature_invalid', { kind: input.kind, reason: check.reason ?? check.verdict }, check);
  }
  // The submitting user must be the signer: the first signer whose certificate is theirs stands.
  let identity: SignerIdentity | undefined;
  let signer = check.signers[0];
  let refusal: unknown;
  for (const candidate of check.signers) {
    try {
      identity = await authorizeSigner(deps.db, {
        userId: actor.userId,
        kind: input.kind,
        dossier: { id: d.id, index: d.case_index, department: d.transfer_department },
        signer: candidate.signer,
        // The verifier's evidence holds the signer's certificate (kept for a first-use binding).
        certificates: (check as { evidence?: { certificates?: Uint8Array[] } }).evidence?.certificates ?? [],
        actor,
      });
      signer = candidate;
      break;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      refusal ??= error;
    }
  }
  if (!identity) throw refusal ?? new ValidationError('ingest.uploaded_signature_invalid', 'ingest.uploaded_signature_invalid', { kind: input.kind, reason: 'no signer' });
  const cms = await putEverywhere(deps.storage, { bytes: input.cms });
  const previous = await readManifest(deps.storage, d.aip_manifest_sha256);
  const existing = await deps.db.selectFrom('dossier_signatures').select(['kind', 'verdict']).where('dossier_id', '=', d.id).execute();
  const kinds = new Set(existing.filter((s) => s.verdict === 'valid').map((s) => s.kind));
  kinds.add(input.kind);
  // The integrity signature is what dossier.json reports; other files are carried over as-is.
  const meta = d.metadata as unknown as DossierMetadata;
  const signed: DossierMetadata =
    input.kind === 'integrity'
      ? { ...meta, integrity: { ...meta.integrity, signature: { status: 'valid', ...(signer ? { signer: signer.signer.subject } : {}), ...(signer?.signingTime ? { signingTime: signer.signingTime } : {}) } } }
      : meta;
  // Who signed is recorded in the AIP's dossier.json too, for either statement (issue 10).
  const record = signatureRecord(input.kind, cms.sha256, check.verdict, identity, signer?.signingTime);
  const newMeta: DossierMetadata = {
    ...signed,
    integrity: { ...signed.integrity, signatures: [...(signed.integrity.signatures ?? []).filter((r) => r.cmsSha256 !== cms.sha256), record] },
  };
  const entries = previous.files.filter((f) => f.role !== 'dossier-metadata');
  const sigPath = input.kind === 'inventory' ? 'signatures/internal-inventory.p7s' : 'signatures/integrity.p7s';
  const numbered = entries.some((f) => f.path === sigPath) ? sigPath.replace('.p7s', `-${cms.sha256.slice(0, 12)}.p7s`) : sigPath;
  // The certificates, CRLs and anchor of this verification join the AIP (p.94–97-1, docs/signatures.md).
  const evidence = await appendEvidenceEntries(deps.storage, previous, check, input.cms, {
    signature: { path: numbered, sha256: cms.sha256 },
    content: input.kind === 'inventory' ? { path: 'inventory/internal-inventory.json', sha256: d.inventory_sha256 } : { path: 'integrity.json', sha256: d.integrity_sha256 },
  });
  const dossierJson = await putEverywhere(deps.storage, { bytes: serialiseJson(newMeta) });
  const files = [
    ...entries.filter((f) => !evidence.some((e) => e.path === f.path)),
    ...evidence,
    { path: numbered, sha256: cms.sha256, size: cms.size, role: input.kind === 'inventory' ? ('internal-inventory-signature' as const) : ('dossier-signature' as const) },
    { path: 'dossier.json', sha256: dossierJson.sha256, size: dossierJson.size, role: 'dossier-metadata' as const },
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
  const manifest = {
    ...previous,
    files,
    events: [
      ...previous.events,
      { at: new Date().toISOString(), type: `dossier.sign_${input.kind}`, outcome: 'success' as const, actor: actor.username, detail: `signed by ${identity.fullName} (${identity.username}, ${identity.role}) with ${signer?.signer.subject ?? '?'}` },
    ],
  };
  const sealed = await putEverywhere(deps.storage, { bytes: serialiseJson(manifest) });
  const status = kinds.has('inventory') && kinds.has('integrity') ? 'stored' : 'awaiting-signature';
  await deps.db.transaction().execute(async (trx) => {
    // Optimistic check: a concurrent signature upload must not overwrite this manifest.
    const updated = await trx
      .updateTable('dossiers')
      .set({ aip_manifest_sha256: sealed.sha256, metadata: JSON.stringify(newMeta), status, updated_at: new Date() })
      .where('id', '=', d.id)
      .where('aip_manifest_sha256', '=', d.aip_manifest_sha256)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new ConflictError('ingest.dossier_changed', 'ingest.dossier_changed', { id: d.id });
    await trx
      .insertInto('dossier_signatures')
      .values({ dossier_id: d.id, kind: input.kind, signer: JSON.stringify({ ...identity, signingTime: signer?.signingTime }), cms_sha256: cms.sha256, verdict: check.verdict })
      .onConflict((oc) => oc.columns(['dossier_id', 'kind', 'cms_sha256']).doNothing())
      .execute();
    await recordAudit(trx, { actor, action: `dossier.sign`, objectType: 'dossier', objectId: d.id, details: { kind: input.kind, cms: cms.sha256, signer: signer?.signer.subject ?? null, signerUser: identity.username, signerRole: identity.role, certificateSerial: identity.serialNumber, certificateIssuer: identity.issuer, iin: identity.iin ?? null, previousManifest: d.aip_manifest_sha256, manifest: sealed.sha256, status } });
  });
  return { status, manifestSha256: sealed.sha256, verdict: check.verdict, signer: signer?.signer.subject ?? '', identity };
}
