// The inventory of e-dossiers as the official form App. 30 shows it (forms/types.ts
// InventoryForm): what the catalog holds, in the form's columns, for the forms renderer. Also
// where the stored PDF/A renditions of a draft come from, so the head signs what is printed.
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import { t } from '../../common/i18n';
import { NotFoundError } from '../../common/errors';
import { readVerifiedBytes, type Storage } from '../../storage';
import type { Actor } from '../../audit/audit.service';
import { renderForm } from '../../forms/render';
import { storeRendition } from '../../forms/store';
import type { FormLanguage, FormPerson, FormSignature, FormText, InventoryForm, InventoryRow } from '../../forms/types';
import { cipherText } from './cipher';
import type { CommissionProtocol, InventoryApproval, InventoryPerson, InventoryRenditions } from './tables';

function both(key: string, params: Record<string, string | number> = {}): FormText {
  return { kk: t('kk', key, params), ru: t('ru', key, params) };
}

function formPerson(p: InventoryPerson | null): FormPerson | null {
  return p ? { position: p.position, name: p.name } : null;
}

function unsigned(p: InventoryPerson | null, fallbackDate: string | null = null): FormSignature {
  return { person: formPerson(p), date: p?.date ?? fallbackDate, signed: false };
}

/** loadInventoryForm(db, inventoryId) → the App. 30 view model of one inventory. */
export async function loadInventoryForm(db: Kysely<Database>, inventoryId: string): Promise<InventoryForm> {
  const inv = await db.selectFrom('inventories').selectAll().where('id', '=', inventoryId).executeTakeFirst();
  if (!inv) throw new NotFoundError('inventories.not_found', 'inventories.not_found', { id: inventoryId });
  const [organisation, department, items] = await Promise.all([
    db.selectFrom('organisation').select(['name_kk', 'name_ru', 'fonds_number']).executeTakeFirst(),
    db.selectFrom('departments').select(['name_kk', 'name_ru']).where('code', '=', inv.department_code).executeTakeFirst(),
    db
      .selectFrom('inventory_items as i')
      .leftJoin('archival_ciphers as c', (j) => j.onRef('c.dossier_id', '=', 'i.dossier_id').onRef('c.inventory_id', '=', 'i.inventory_id'))
      .select(['i.sequence', 'i.case_index', 'i.title', 'i.start_date', 'i.end_date', 'i.document_count', 'i.size_bytes', 'i.retention', 'i.note', 'c.fonds_number', 'c.inventory_number', 'c.case_number'])
      .where('i.inventory_id', '=', inventoryId)
      .orderBy('i.sequence')
      .execute(),
  ]);
  const departmentName: FormText = department ? { kk: department.name_kk, ru: department.name_ru } : inv.department_code;
  const rows: InventoryRow[] = items.map((i) => {
    const retention = i.retention as { kind: 'permanent' | 'years' | 'years_epk' | 'until_needed'; years?: number | null; article?: string | null };
    // Col. 8: the archival cipher once given (p.181), else the compiler's note.
    const cipher =
      i.fonds_number && i.inventory_number !== null && i.case_number !== null
        ? { fonds: i.fonds_number, inventory: String(i.inventory_number), case: i.case_number }
        : null;
    const note: FormText | null = cipher
      ? { kk: cipherText('kk', cipher) + (i.note ? `; ${i.note}` : ''), ru: cipherText('ru', cipher) + (i.note ? `; ${i.note}` : '') }
      : i.note;
    return {
      number: i.sequence,
      index: i.case_index,
      heading: i.title,
      dates: { from: i.start_date, to: i.end_date },
      documents: i.document_count,
      bytes: Number(i.size_bytes),
      // Footnote * of App. 30: the retention column is not filled for permanent dossiers.
      retention: inv.category === 'permanent' ? null : { kind: retention.kind, years: retention.years ?? null, article: retention.article ?? null },
      note,
    };
  });
  const approval = inv.approval as InventoryApproval | null;
  const signer = (approval?.signer ?? {}) as { fullName?: string; subject?: string; signingTime?: string };
  const approvedOn = inv.approved_at ? new Date(inv.approved_at).toISOString().slice(0, 10) : null;
  const commission = inv.commission as CommissionProtocol | null;
  const count = rows.length;
  const approved = inv.status === 'approved';
  return {
    kind: 'inventory',
    id: inv.id,
    organisation: { name: organisation ? { kk: organisation.name_kk, ru: organisation.name_ru } : '', fondsNumber: inv.fonds_number },
    approval: {
      organisation: organisation ? { kk: organisation.name_kk, ru: organisation.name_ru } : null,
      department: departmentName,
      signature: approved
        ? {
            person: { position: both('inventories.form_head_position'), name: signer.fullName ?? '' },
            date: approvedOn,
            signed: true,
            signedAt: signer.signingTime ?? (inv.approved_at ? new Date(inv.approved_at).toISOString() : null),
            certificate: signer.subject ?? null,
          }
        : { person: null, date: null, signed: false },
    },
    number: String(inv.number),
    category: inv.category,
    year: inv.year,
    department: departmentName,
    rows,
    totals: {
      dossiers: count,
      firstNumber: count ? rows[0]!.number : null,
      lastNumber: count ? rows[count - 1]!.number : null,
      documents: rows.reduce((n, r) => n + r.documents, 0),
      bytes: rows.reduce((n, r) => n + r.bytes, 0),
    },
    compiler: unsigned(inv.compiler as InventoryPerson, new Date(inv.created_at).toISOString().slice(0, 10)),
    expertCommission: commission ? { body: departmentName, number: commission.number, date: commission.date } : null,
    handedOver: { count: approved ? count : null, signature: unsigned(inv.handed_over as InventoryPerson | null) },
    accepted: { count: approved ? count : null, signature: unsigned(inv.accepted_by as InventoryPerson | null) },
  };
}

export const INVENTORY_FORM_LANGUAGES = ['kk', 'ru'] as const satisfies readonly FormLanguage[];

/**
 * Renders the inventory's form as PDF/A-1 in Kazakh and in Russian (forms/render) and stores
 * both like any document of the archive (forms/store, audited form.store), so the approval
 * statement names exactly the PDFs the head sees.
 */
export async function renderAndStoreInventory(deps: { db: Kysely<Database>; storage: Storage }, inventoryId: string, actor: Actor): Promise<InventoryRenditions> {
  const model = await loadInventoryForm(deps.db, inventoryId);
  const renditions: InventoryRenditions = {};
  for (const lang of INVENTORY_FORM_LANGUAGES) {
    const rendition = await renderForm(model, lang, 'pdf', { author: 'Muragat' });
    const stored = await storeRendition(deps, actor, { kind: 'inventory', subjectId: inventoryId, rendition });
    renditions[lang] = { renditionId: stored.id, sha256: stored.sha256, size: stored.size };
  }
  return renditions;
}

/** The renderer the inventories service calls after each change of a draft and after approval. */
export function inventoryRenditionRenderer(storage: Storage): (db: Kysely<Database>, inventoryId: string, actor: Actor) => Promise<InventoryRenditions | null> {
  return (db, inventoryId, actor) => renderAndStoreInventory({ db, storage }, inventoryId, actor);
}

/** The stored PDF/A rendition of the inventory in `lang`. */
export async function openInventoryRendition(db: Kysely<Database>, storage: Storage, inventoryId: string, lang: FormLanguage): Promise<{ bytes: Buffer; size: number; sha256: string }> {
  const inv = await db.selectFrom('inventories').select(['renditions', 'number']).where('id', '=', inventoryId).executeTakeFirst();
  const entry = (inv?.renditions as InventoryRenditions | null)?.[lang];
  if (!inv || !entry) throw new NotFoundError('inventories.rendition_not_found', 'inventories.rendition_not_found', { number: inv?.number ?? inventoryId, lang });
  const bytes = await readVerifiedBytes(storage, entry.sha256);
  return { bytes, size: bytes.length, sha256: entry.sha256 };
}
