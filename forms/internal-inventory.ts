// App. 32 from what ingest stores: the internal inventory JSON of an e-dossier (schema
// muragat.internal-inventory/1, built by ingest/dossier/build.ts) turned into the form's model,
// rendered at store time in both languages (ingest/pipeline/store.ts through IngestTools), and
// loaded again for a stored dossier (`muragat form render internal-inventory <dossierId>`, the
// forms API) with the compiler's signature from the catalog.
import type { Kysely } from 'kysely';
import { t } from '../common/i18n';
import { NotFoundError } from '../common/errors';
import type { Database } from '../database/database';
import type { Storage } from '../storage';
import type { InternalInventory } from '../validators/schemas/types';
import { renderForm } from './render';
import type { FormLanguage, FormOrganisation, FormSignature, FormText, InternalInventoryForm } from './types';

/**
 * The notes ingest writes into the inventory (ingest/pipeline/store.ts) are English; the form
 * prints them in its own language. Any other note is the archivist's text, printed as written.
 */
function translatedNote(note: string | undefined): FormText | null {
  if (!note) return null;
  if (note === 'PDF/A rendition failed; original kept') return { kk: t('kk', 'forms.note_rendition_failed'), ru: t('ru', 'forms.note_rendition_failed') };
  const invalid = /^Signature invalid, accepted: (.*)$/s.exec(note);
  if (invalid) return { kk: t('kk', 'forms.note_signature_invalid', { reason: invalid[1] }), ru: t('ru', 'forms.note_signature_invalid', { reason: invalid[1] }) };
  return note;
}

export interface InternalInventoryContext {
  /** The dossier's id (the subject of a stored rendition); empty while the dossier is being stored. */
  dossierId?: string;
  organisation?: FormOrganisation | null;
  /** «электронного дела № ___»: the case number of the archival cipher once given; the index otherwise. */
  dossierNumber?: string | null;
  /** The compiler's signature over the inventory, when the catalog holds one. */
  compilerSignature?: { signedAt: string | null; certificate: string | null } | null;
}

/** The inventory JSON as the App. 32 model. */
export function internalInventoryFormOf(inventory: InternalInventory, context: InternalInventoryContext = {}): InternalInventoryForm {
  const compiler: FormSignature = {
    person: { position: inventory.compiledBy.position, name: inventory.compiledBy.name },
    date: inventory.compiledAt,
    signed: !!context.compilerSignature,
    signedAt: context.compilerSignature?.signedAt ?? null,
    certificate: context.compilerSignature?.certificate ?? null,
  };
  return {
    kind: 'internal-inventory',
    id: context.dossierId ?? '',
    organisation: context.organisation ?? null,
    dossierNumber: context.dossierNumber?.trim() || inventory.dossier.number || inventory.dossier.index,
    dossierIndex: inventory.dossier.index,
    dossierTitle: inventory.dossier.title,
    rows: inventory.rows.map((r) => ({
      number: r.number,
      date: r.date,
      title: r.title,
      files: r.files,
      bytes: r.bytes,
      controlCharacteristic: r.controlCharacteristic,
      note: translatedNote(r.note),
    })),
    totals: { documents: inventory.totals.documents, files: inventory.totals.files, bytes: inventory.totals.bytes },
    compiler,
  };
}

/**
 * The internal inventory as PDF/A-1b in one language: what ingest stores in every AIP
 * (inventory/internal-inventory-kk.pdf and -ru.pdf). Replaces ingest/dossier/inventory-pdf.ts.
 */
export async function renderInternalInventoryPdf(
  inventory: InternalInventory,
  language: FormLanguage,
  meta: { author?: string; date?: Date; organisation?: FormOrganisation | null } = {},
): Promise<Uint8Array> {
  const model = internalInventoryFormOf(inventory, { organisation: meta.organisation ?? null });
  return (await renderForm(model, language, 'pdf', { author: meta.author, date: meta.date })).bytes;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The organisation as the forms print it, or null before it is registered. */
export async function formOrganisation(db: Kysely<Database>): Promise<FormOrganisation | null> {
  const row = await db.selectFrom('organisation').select(['name_kk', 'name_ru', 'fonds_number']).executeTakeFirst();
  return row ? { name: { kk: row.name_kk, ru: row.name_ru }, fondsNumber: row.fonds_number } : null;
}

/**
 * App. 32 of a stored dossier: its inventory JSON read from the AIP (the signed one), the
 * organisation, the archival cipher's case number when one is in the dossier metadata, and
 * the compiler's valid signature from the catalog.
 */
export async function loadInternalInventoryForm(deps: { db: Kysely<Database>; storage: Storage }, dossierId: string): Promise<InternalInventoryForm> {
  const dossier = await deps.db.selectFrom('dossiers').select(['id', 'metadata']).where('id', '=', dossierId).executeTakeFirst();
  if (!dossier) throw new NotFoundError('forms.subject_not_found', 'forms.subject_not_found', { appendix: 32, id: dossierId });
  const { openInventory } = await import('../ingest/intake/dossiers.service');
  const file = await openInventory(deps, dossier.id, 'json');
  const inventory = JSON.parse((await readAll(file.stream)).toString('utf8')) as InternalInventory;
  const signature = await deps.db
    .selectFrom('dossier_signatures')
    .select(['signer', 'created_at'])
    .where('dossier_id', '=', dossier.id)
    .where('kind', '=', 'inventory')
    .where('verdict', '=', 'valid')
    .orderBy('created_at', 'asc')
    .executeTakeFirst();
  const signer = (typeof signature?.signer === 'string' ? JSON.parse(signature.signer) : signature?.signer) as { subject?: string; signingTime?: string } | undefined;
  const cipher = (dossier.metadata as { archivalCipher?: { caseNumber?: string | number } | null } | null)?.archivalCipher;
  return internalInventoryFormOf(inventory, {
    dossierId: dossier.id,
    organisation: await formOrganisation(deps.db),
    dossierNumber: cipher?.caseNumber !== undefined && cipher?.caseNumber !== null ? String(cipher.caseNumber) : null,
    compilerSignature: signature ? { signedAt: signer?.signingTime ?? new Date(signature.created_at as unknown as string).toISOString(), certificate: signer?.subject ?? null } : null,
  });
}
