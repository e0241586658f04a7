// Inventories of e-dossiers (App. 30, p.195, p.207, p.210) and archival ciphers (p.181).
//
// The archivist compiles an inventory from the accepted dossiers of one department, year and
// category (permanent; over 10 years; personnel separately, p.195). Dossiers kept up to 10
// years go to the archive by the nomenclature, without an inventory (p.194): such a request
// is refused. Inventories are numbered per fonds (the smallest number no live inventory holds,
// so a discarded draft leaves no gap); the dossiers are numbered in index order. The head of
// the department approves the inventory with a CMS signature over its statement (what the
// form says, the dossiers' sealed AIPs and the stored PDF/A renditions); the signer must be
// the submitting user, a head of that department, with the certificate bound to them
// (accounts/signers). Approval writes the inventory number and sequence into each dossier's
// metadata (a new dossier.json in a re-sealed AIP, as a signature upload does), and for
// permanent dossiers gives the archival cipher: fonds – inventory – case number, which never
// changes afterwards (a frozen table and the approved inventory's own freeze).
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../database/database';
import { recordAudit, type Actor } from '../../audit/audit.service';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../common/errors';
import { canonicalJson, sha256Hex } from '../../common/hash';
import { logger } from '../../common/logger';
import { authorizeSigner } from '../../accounts/signers.service';
import { readVerifiedBytes, type Storage } from '../../storage';
import { putEverywhere, readManifest, serialiseJson } from '../../ingest/aip';
import { validateAgainst } from '../../validators/schemas';
import type { DossierMetadata } from '../../validators/schemas/types';
import { category as retentionCategory, type RetentionPeriod } from '../retention/arithmetic';
import { isAccepted } from './accepted';
import { cipherOf, type ArchivalCipher } from './cipher';
import type { CommissionProtocol, InventoryApproval, InventoryCategory, InventoryPerson, InventoryRenditions, InventoryStatus } from './tables';

export const INVENTORY_CATEGORIES = ['permanent', 'over_10', 'personnel'] as const satisfies readonly InventoryCategory[];

/** What approval needs to check a CMS signature (validators/signature verifySignature fits). */
export interface SignatureChecker {
  (input: { signature: Uint8Array; content: Uint8Array; trustDir?: string }): Promise<{
    verdict: string;
    reason?: string;
    signers: { signer: { subject: string; serialNumber: string; issuer: string; iin?: string; bin?: string; notBefore?: string; notAfter?: string }; signingTime?: string }[];
    evidence?: { certificates?: Uint8Array[] };
  }>;
}

export interface InventoryDeps {
  db: Kysely<Database>;
  storage: Storage;
  /** Trusted roots for the head's signature (config.trustDir). */
  trustDir?: string;
  verifySignature?: SignatureChecker;
  /**
   * Renders and stores the form's PDF/A renditions (kk, ru): of a draft, so the statement the
   * head signs names what the form prints; of an approved inventory, with the approval and the
   * ciphers (catalog/inventories/form.ts inventoryRenditionRenderer).
   */
  renderRenditions?: (db: Kysely<Database>, inventoryId: string, actor: Actor) => Promise<InventoryRenditions | null>;
  now?: () => Date;
}

export interface InventoryRowView {
  sequence: number;
  dossierId: string;
  index: string;
  title: string;
  startDate: string | null;
  endDate: string | null;
  documentCount: number;
  sizeBytes: number;
  retention: RetentionPeriod & { article?: string | null };
  note: string | null;
  /** Given when the inventory of permanent dossiers is approved. */
  archivalCipher: ArchivalCipher | null;
}

export interface InventorySummary {
  id: string;
  fonds: string;
  number: number;
  department: { code: string; nameKk: string | null; nameRu: string | null };
  year: number;
  category: InventoryCategory;
  status: InventoryStatus;
  dossierCount: number;
  firstNumber: number | null;
  lastNumber: number | null;
  createdBy: string;
  createdAt: string;
  approvedAt: string | null;
}

export interface InventoryView extends InventorySummary {
  compiler: InventoryPerson;
  commission: CommissionProtocol | null;
  handedOver: InventoryPerson | null;
  acceptedBy: InventoryPerson | null;
  renditions: InventoryRenditions | null;
  approval: InventoryApproval | null;
  discardedAt: string | null;
  discardReason: string | null;
  totals: { documents: number; bytes: number };
  rows: InventoryRowView[];
}

export interface BuildInput {
  department: string;
  year: number;
  category: string;
  compiler: InventoryPerson;
  commission?: CommissionProtocol | null;
  handedOver?: InventoryPerson | null;
  acceptedBy?: InventoryPerson | null;
}

export interface UpdateInput {
  compiler?: InventoryPerson;
  commission?: CommissionProtocol | null;
  handedOver?: InventoryPerson | null;
  acceptedBy?: InventoryPerson | null;
}

export interface ListFilter {
  department?: string;
  year?: number;
  category?: InventoryCategory;
  status?: InventoryStatus;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function iso(value: Date | string | null): string | null {
  return value ? new Date(value).toISOString() : null;
}

function isoDate(value: unknown): boolean {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function text(value: unknown, field: string, max: number): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!s) throw new ValidationError('inventories.field_required', 'inventories.field_required', { field });
  if (s.length > max) throw new ValidationError('inventories.field_too_long', 'inventories.field_too_long', { field, max });
  return s;
}

function person(value: InventoryPerson | null | undefined, field: string): InventoryPerson | null {
  if (value === null || value === undefined) return null;
  const out: InventoryPerson = { name: text(value.name, `${field}.name`, 300), position: text(value.position, `${field}.position`, 300) };
  if (value.date !== undefined && value.date !== null && String(value.date).trim() !== '') {
    if (!isoDate(value.date)) throw new ValidationError('inventories.invalid_date', 'inventories.invalid_date', { field: `${field}.date`, value: String(value.date) });
    out.date = value.date;
  }
  return out;
}

function protocol(value: CommissionProtocol | null | undefined): CommissionProtocol | null {
  if (value === null || value === undefined) return null;
  const number = text(value.number, 'commission.number', 50);
  if (!isoDate(value.date)) throw new ValidationError('inventories.invalid_date', 'inventories.invalid_date', { field: 'commission.date', value: String(value.date ?? '') });
  return { number, date: value.date };
}

/** "03-12" sorts before "03-101"; suffix letters after the number; then the volume. */
function indexKey(index: string): [number, string] {
  const m = /-(\d+)([A-Za-z]?)$/.exec(index);
  return m ? [Number(m[1]), m[2] ?? ''] : [Number.MAX_SAFE_INTEGER, index];
}

function retentionOf(meta: Partial<DossierMetadata>): (RetentionPeriod & { article?: string | null }) | null {
  const r = meta.retention;
  if (!r || typeof r !== 'object' || !r.kind) return null;
  return { kind: r.kind, years: typeof r.years === 'number' ? r.years : null, ...(r.article ? { article: r.article } : {}) };
}

function categoryOf(retention: RetentionPeriod | null): ReturnType<typeof retentionCategory> | null {
  if (!retention) return null;
  try {
    return retentionCategory(retention);
  } catch {
    return null;
  }
}

function uniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}

/** The statement the department head signs: what the form says and what it lists, exactly. */
export interface ApprovalStatement {
  schemaVersion: 'muragat.inventory-approval/1';
  inventory: { id: string; fonds: string; number: number; department: string; year: number; category: InventoryCategory };
  compiler: InventoryPerson;
  commission: CommissionProtocol | null;
  handedOver: InventoryPerson | null;
  acceptedBy: InventoryPerson | null;
  rows: { number: number; dossierId: string; index: string; title: string; startDate: string | null; endDate: string | null; documents: number; bytes: number; retention: unknown; aipManifestSha256: string }[];
  totals: { dossiers: number; firstNumber: number | null; lastNumber: number | null };
  renditions: InventoryRenditions | null;
}

export function createInventoriesService(deps: InventoryDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  async function departmentNames(codes: string[]): Promise<Map<string, { nameKk: string; nameRu: string }>> {
    if (!codes.length) return new Map();
    const rows = await db.selectFrom('departments').select(['code', 'name_kk', 'name_ru']).where('code', 'in', [...new Set(codes)]).execute();
    return new Map(rows.map((r) => [r.code, { nameKk: r.name_kk, nameRu: r.name_ru }]));
  }

  /** By id, or by number ("3") among the live (not discarded) inventories of the fonds. */
  async function findRow(idOrNumber: string) {
    const value = String(idOrNumber ?? '').trim();
    let row;
    if (UUID.test(value)) row = await db.selectFrom('inventories').selectAll().where('id', '=', value).executeTakeFirst();
    else if (/^[1-9]\d{0,8}$/.test(value)) {
      row = await db.selectFrom('inventories').selectAll().where('number', '=', Number(value)).where('status', '<>', 'discarded').orderBy('created_at', 'desc').executeTakeFirst();
    }
    if (!row) throw new NotFoundError('inventories.not_found', 'inventories.not_found', { id: value });
    return row;
  }

  async function rowsOf(inventoryId: string): Promise<InventoryRowView[]> {
    const rows = await db
      .selectFrom('inventory_items as i')
      .leftJoin('archival_ciphers as c', (j) => j.onRef('c.dossier_id', '=', 'i.dossier_id').onRef('c.inventory_id', '=', 'i.inventory_id'))
      .select(['i.sequence', 'i.dossier_id', 'i.case_index', 'i.title', 'i.start_date', 'i.end_date', 'i.document_count', 'i.size_bytes', 'i.retention', 'i.note', 'c.fonds_number', 'c.inventory_number', 'c.case_number'])
      .where('i.inventory_id', '=', inventoryId)
      .orderBy('i.sequence')
      .execute();
    return rows.map((r) => {
      const retention = r.retention as { kind: RetentionPeriod['kind']; years?: number | null; article?: string | null };
      return {
        sequence: r.sequence,
        dossierId: r.dossier_id,
        index: r.case_index,
        title: r.title,
        startDate: r.start_date,
        endDate: r.end_date,
        documentCount: r.document_count,
        sizeBytes: Number(r.size_bytes),
        retention: { kind: retention.kind, years: retention.years ?? null, ...(retention.article ? { article: retention.article } : {}) },
        note: r.note,
        archivalCipher: r.fonds_number && r.inventory_number !== null && r.case_number !== null ? cipherOf(r.fonds_number, r.inventory_number, r.case_number) : null,
      };
    });
  }

  type Row = Awaited<ReturnType<typeof findRow>>;

  function summary(row: Row, names: Map<string, { nameKk: string; nameRu: string }>, count: number): InventorySummary {
    const name = names.get(row.department_code);
    return {
      id: row.id,
      fonds: row.fonds_number,
      number: row.number,
      department: { code: row.department_code, nameKk: name?.nameKk ?? null, nameRu: name?.nameRu ?? null },
      year: row.year,
      category: row.category,
      status: row.status,
      dossierCount: count,
      firstNumber: count ? 1 : null,
      lastNumber: count ? count : null,
      createdBy: row.created_by,
      createdAt: iso(row.created_at)!,
      approvedAt: iso(row.approved_at),
    };
  }

  async function view(row: Row): Promise<InventoryView> {
    const rows = await rowsOf(row.id);
    const names = await departmentNames([row.department_code]);
    const approval = row.approval as InventoryApproval | null;
    return {
      ...summary(row, names, rows.length),
      compiler: row.compiler as InventoryPerson,
      commission: (row.commission as CommissionProtocol | null) ?? null,
      handedOver: (row.handed_over as InventoryPerson | null) ?? null,
      acceptedBy: (row.accepted_by as InventoryPerson | null) ?? null,
      renditions: (row.renditions as InventoryRenditions | null) ?? null,
      approval,
      discardedAt: iso(row.discarded_at),
      discardReason: row.discard_reason,
      totals: { documents: rows.reduce((n, r) => n + r.documentCount, 0), bytes: rows.reduce((n, r) => n + r.sizeBytes, 0) },
      rows,
    };
  }

  /** `step` names what was asked (update, discard, sign, approve) for the message. */
  async function assertDraft(row: Row, step: string): Promise<void> {
    if (row.status !== 'draft') {
      throw new ConflictError('inventories.not_draft', 'inventories.not_draft', { number: row.number, status: row.status, action: step });
    }
  }

  /** The stored renditions follow the inventory: a draft's after each change, the approved form once. */
  async function refreshRenditions(id: string, actor: Actor, status: InventoryStatus = 'draft'): Promise<void> {
    if (!deps.renderRenditions) return;
    let renditions: InventoryRenditions | null;
    try {
      renditions = await deps.renderRenditions(db, id, actor);
    } catch (error) {
      // The inventory's state is committed; a form that cannot be rendered (a font, the store)
      // leaves it without renditions, said in the log, and the next change tries again.
      logger().error({ inventory: id, err: error }, 'the inventory form could not be rendered and stored');
      renditions = null;
    }
    await db.updateTable('inventories').set({ renditions: renditions ? JSON.stringify(renditions) : null }).where('id', '=', id).where('status', '=', status).execute();
  }

  async function statementOf(row: Row): Promise<ApprovalStatement> {
    const items = await db
      .selectFrom('inventory_items as i')
      .innerJoin('dossiers as d', 'd.id', 'i.dossier_id')
      .select(['i.sequence', 'i.dossier_id', 'i.case_index', 'i.title', 'i.start_date', 'i.end_date', 'i.document_count', 'i.size_bytes', 'i.retention', 'd.aip_manifest_sha256'])
      .where('i.inventory_id', '=', row.id)
      .orderBy('i.sequence')
      .execute();
    return {
      schemaVersion: 'muragat.inventory-approval/1',
      inventory: { id: row.id, fonds: row.fonds_number, number: row.number, department: row.department_code, year: row.year, category: row.category },
      compiler: row.compiler as InventoryPerson,
      commission: (row.commission as CommissionProtocol | null) ?? null,
      handedOver: (row.handed_over as InventoryPerson | null) ?? null,
      acceptedBy: (row.accepted_by as InventoryPerson | null) ?? null,
      rows: items.map((i) => ({
        number: i.sequence,
        dossierId: i.dossier_id,
        index: i.case_index,
        title: i.title,
        startDate: i.start_date,
        endDate: i.end_date,
        documents: i.document_count,
        bytes: Number(i.size_bytes),
        retention: i.retention,
        aipManifestSha256: i.aip_manifest_sha256,
      })),
      totals: { dossiers: items.length, firstNumber: items.length ? 1 : null, lastNumber: items.length ? items.length : null },
      renditions: (row.renditions as InventoryRenditions | null) ?? null,
    };
  }

  /**
   * The dossier's AIP again with the inventory number and sequence (and the cipher) in its
   * dossier.json: the objects are write-once, so a new dossier.json and a new manifest are
   * stored and the catalog row moves to them (as ingest/dossier/signing.ts does).
   */
  async function resealDossier(
    dossierId: string,
    entry: { number: number; sequence: number; cipher: ArchivalCipher | null; inventoryId: string },
    actor: Actor,
  ): Promise<{ dossierId: string; previousManifest: string; manifest: string; metadata: DossierMetadata; index: string }> {
    const d = await db.selectFrom('dossiers').select(['id', 'case_index', 'metadata', 'aip_manifest_sha256']).where('id', '=', dossierId).executeTakeFirstOrThrow();
    const meta = d.metadata as unknown as DossierMetadata;
    if (meta.archivalCipher) {
      throw new ConflictError('inventories.cipher_already_given', 'inventories.cipher_already_given', { index: d.case_index, cipher: meta.archivalCipher.code });
    }
    const newMeta: DossierMetadata = {
      ...meta,
      inventory: { number: String(entry.number), sequence: entry.sequence },
      ...(entry.cipher ? { archivalCipher: entry.cipher } : {}),
    };
    const checked = validateAgainst('dossier-metadata', newMeta);
    if (!checked.valid) {
      throw new ValidationError('inventories.metadata_invalid', 'inventories.metadata_invalid', { index: d.case_index, problems: checked.problems.map((p) => `${p.pointer || '/'} ${p.message.en}`).join('; ') });
    }
    const previous = await readManifest(deps.storage, d.aip_manifest_sha256);
    const dossierJson = await putEverywhere(deps.storage, { bytes: serialiseJson(newMeta) });
    const files = [
      ...previous.files.filter((f) => f.role !== 'dossier-metadata'),
      { path: 'dossier.json', sha256: dossierJson.sha256, size: dossierJson.size, role: 'dossier-metadata' as const },
    ].sort((a, b) => (a.path < b.path ? -1 : 1));
    const detail = entry.cipher
      ? `inventory № ${entry.number}, case ${entry.sequence}; archival cipher ${entry.cipher.code} (p.181)`
      : `inventory № ${entry.number}, case ${entry.sequence}`;
    const manifest = { ...previous, files, events: [...previous.events, { at: now().toISOString(), type: 'inventory.approve', outcome: 'success' as const, actor: actor.username, detail }] };
    const sealed = await putEverywhere(deps.storage, { bytes: serialiseJson(manifest) });
    return { dossierId: d.id, previousManifest: d.aip_manifest_sha256, manifest: sealed.sha256, metadata: newMeta, index: d.case_index };
  }

  /** The signer checks of accounts/signers, told in the words of an inventory. */
  async function authorizeHead(actor: Actor, row: Row, check: Awaited<ReturnType<SignatureChecker>>) {
    let refusal: unknown;
    for (const candidate of check.signers) {
      try {
        const identity = await authorizeSigner(db, {
          userId: actor.userId,
          kind: 'inventory_approval',
          dossier: { id: row.id, index: `№ ${row.number}`, department: row.department_code },
          signer: candidate.signer,
          certificates: check.evidence?.certificates ?? [],
          actor,
        });
        return { identity, signer: candidate };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        refusal ??= error;
      }
    }
    if (refusal instanceof ForbiddenError && refusal.code.startsWith('signature.signer_')) {
      const reason = refusal.code.slice('signature.'.length);
      throw new ForbiddenError(refusal.code, `inventories.${reason}`, { ...refusal.params, number: row.number, department: row.department_code }, refusal.details);
    }
    throw refusal ?? new ValidationError('inventories.signature_invalid', 'inventories.signature_invalid', { number: row.number, reason: 'no signer' });
  }

  return {
    /** Inventories, newest first, narrowed by the filter. */
    async list(filter: ListFilter = {}): Promise<InventorySummary[]> {
      let q = db.selectFrom('inventories').selectAll();
      if (filter.department) q = q.where('department_code', '=', filter.department);
      if (filter.year !== undefined) q = q.where('year', '=', filter.year);
      if (filter.category) q = q.where('category', '=', filter.category);
      if (filter.status) q = q.where('status', '=', filter.status);
      const rows = await q.orderBy('year', 'desc').orderBy('number', 'desc').orderBy('created_at', 'desc').limit(1000).execute();
      const counts = rows.length
        ? await db
            .selectFrom('inventory_items')
            .select(['inventory_id', (eb) => eb.fn.countAll<string>().as('n')])
            .where('inventory_id', 'in', rows.map((r) => r.id))
            .groupBy('inventory_id')
            .execute()
        : [];
      const byId = new Map(counts.map((c) => [c.inventory_id, Number(c.n)]));
      const names = await departmentNames(rows.map((r) => r.department_code));
      return rows.map((r) => summary(r, names, byId.get(r.id) ?? 0));
    },

    async get(idOrNumber: string): Promise<InventoryView> {
      return view(await findRow(idOrNumber));
    },

    /** Compiles a draft inventory from the accepted dossiers of one department, year and category. */
    async build(actor: Actor, input: BuildInput): Promise<InventoryView> {
      const code = text(input.department, 'department', 20);
      const year = Number(input.year);
      if (!Number.isInteger(year) || year < 1900 || year > 2200) throw new ValidationError('inventories.invalid_year', 'inventories.invalid_year', { value: String(input.year) });
      const wanted = String(input.category ?? '').trim();
      if (wanted === 'up_to_10') {
        // p.194: temporary dossiers up to 10 years go to the archive by the nomenclature.
        throw new ValidationError('inventories.up_to_10_not_inventoried', 'inventories.up_to_10_not_inventoried', { department: code, year }, { clause: 'p.194' });
      }
      if (!(INVENTORY_CATEGORIES as readonly string[]).includes(wanted)) {
        throw new ValidationError('inventories.invalid_category', 'inventories.invalid_category', { value: wanted, allowed: INVENTORY_CATEGORIES.join(', ') });
      }
      const category = wanted as InventoryCategory;
      const compiler = person(input.compiler, 'compiler');
      if (!compiler) throw new ValidationError('inventories.field_required', 'inventories.field_required', { field: 'compiler' });
      const commission = protocol(input.commission);
      const handedOver = person(input.handedOver, 'handedOver');
      const acceptedBy = person(input.acceptedBy, 'acceptedBy');
      const department = await db.selectFrom('departments').select(['code']).where('code', '=', code).executeTakeFirst();
      if (!department) throw new NotFoundError('inventories.department_not_found', 'inventories.department_not_found', { department: code });
      const organisation = await db.selectFrom('organisation').select(['fonds_number']).executeTakeFirst();
      const fonds = organisation?.fonds_number?.trim();
      if (!fonds) throw new ValidationError('inventories.no_fonds', 'inventories.no_fonds', {});

      const id = await db.transaction().execute(async (trx) => {
        const candidates = await trx
          .selectFrom('dossiers')
          .select(['dossiers.id', 'dossiers.case_index', 'dossiers.volume', 'dossiers.title', 'dossiers.metadata'])
          .where('dossiers.department', '=', code)
          .where('dossiers.year', '=', year)
          .where(isAccepted)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('inventory_items').select('inventory_items.dossier_id').whereRef('inventory_items.dossier_id', '=', 'dossiers.id').where('inventory_items.released', '=', false))))
          .execute();
        const chosen = candidates
          .map((d) => ({ d, meta: d.metadata as unknown as Partial<DossierMetadata> }))
          .map((x) => ({ ...x, retention: retentionOf(x.meta) }))
          .filter((x) => categoryOf(x.retention) === category)
          .sort((a, b) => {
            const [an, as] = indexKey(a.d.case_index);
            const [bn, bs] = indexKey(b.d.case_index);
            return an - bn || (as < bs ? -1 : as > bs ? 1 : 0) || a.d.volume - b.d.volume || (a.d.case_index < b.d.case_index ? -1 : 1);
          });
        if (!chosen.length) {
          throw new ValidationError('inventories.no_dossiers', 'inventories.no_dossiers', { department: code, year, category });
        }
        const used = await trx.selectFrom('inventories').select('number').where('fonds_number', '=', fonds).where('status', '<>', 'discarded').execute();
        const taken = new Set(used.map((u) => u.number));
        let number = 1;
        while (taken.has(number)) number += 1;
        const inserted = await trx
          .insertInto('inventories')
          .values({
            fonds_number: fonds,
            number,
            department_code: code,
            year,
            category,
            compiler: JSON.stringify(compiler),
            commission: commission ? JSON.stringify(commission) : null,
            handed_over: handedOver ? JSON.stringify(handedOver) : null,
            accepted_by: acceptedBy ? JSON.stringify(acceptedBy) : null,
            created_by: actor.username,
            updated_at: now(),
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        // One multi-row insert (a round trip per row was most of a build's time at scale,
        // docs/scale.md), in chunks well under PostgreSQL's 65,535 parameters (11 a row).
        const items = chosen.map((x, i) => ({
          inventory_id: inserted.id,
          sequence: i + 1,
          dossier_id: x.d.id,
          case_index: x.d.case_index,
          title: x.d.title,
          start_date: x.meta.startDate ?? null,
          end_date: x.meta.endDate ?? null,
          document_count: x.meta.documentCount ?? 0,
          size_bytes: x.meta.sizeBytes ?? 0,
          retention: JSON.stringify(x.retention),
          note: null,
        }));
        for (let i = 0; i < items.length; i += 1000) await trx.insertInto('inventory_items').values(items.slice(i, i + 1000)).execute();
        await recordAudit(trx, {
          actor,
          action: 'inventory.build',
          objectType: 'inventory',
          objectId: inserted.id,
          details: { fonds, number, department: code, year, category, dossiers: chosen.map((x) => x.d.id), indexes: chosen.map((x) => x.d.case_index) },
        });
        return inserted.id;
      }).catch((error: unknown) => {
        // Two archivists building at once: one number, or one dossier, went to the other.
        if (uniqueViolation(error)) throw new ConflictError('inventories.build_conflict', 'inventories.build_conflict', { department: code, year });
        throw error;
      });
      await refreshRenditions(id, actor);
      return view(await findRow(id));
    },

    /** Changes the people and the commission protocol of a draft. */
    async update(actor: Actor, idOrNumber: string, input: UpdateInput): Promise<InventoryView> {
      const row = await findRow(idOrNumber);
      await assertDraft(row, 'update');
      const set: Record<string, string | null | Date> = {};
      const changed: string[] = [];
      if (input.compiler !== undefined) {
        const compiler = person(input.compiler, 'compiler');
        if (!compiler) throw new ValidationError('inventories.field_required', 'inventories.field_required', { field: 'compiler' });
        set.compiler = JSON.stringify(compiler);
        changed.push('compiler');
      }
      if (input.commission !== undefined) {
        const p = protocol(input.commission);
        set.commission = p ? JSON.stringify(p) : null;
        changed.push('commission');
      }
      if (input.handedOver !== undefined) {
        const p = person(input.handedOver, 'handedOver');
        set.handed_over = p ? JSON.stringify(p) : null;
        changed.push('handedOver');
      }
      if (input.acceptedBy !== undefined) {
        const p = person(input.acceptedBy, 'acceptedBy');
        set.accepted_by = p ? JSON.stringify(p) : null;
        changed.push('acceptedBy');
      }
      if (!changed.length) return view(row);
      await db.transaction().execute(async (trx: Transaction<Database>) => {
        const updated = await trx.updateTable('inventories').set({ ...set, updated_at: now() }).where('id', '=', row.id).where('status', '=', 'draft').executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw new ConflictError('inventories.not_draft', 'inventories.not_draft', { number: row.number, status: 'changed', action: 'update' });
        await recordAudit(trx, { actor, action: 'inventory.update', objectType: 'inventory', objectId: row.id, details: { number: row.number, changed, values: Object.fromEntries(changed.map((k) => [k, input[k as keyof UpdateInput] ?? null])) } });
      });
      await refreshRenditions(row.id, actor);
      return view(await findRow(row.id));
    },

    /** Discards a draft: its number and its dossiers are free again; the record stays. */
    async discard(actor: Actor, idOrNumber: string, reason: string): Promise<InventoryView> {
      const row = await findRow(idOrNumber);
      await assertDraft(row, 'discard');
      const why = text(reason, 'reason', 500);
      await db.transaction().execute(async (trx) => {
        const updated = await trx.updateTable('inventories').set({ status: 'discarded', discarded_at: now(), discard_reason: why, updated_at: now() }).where('id', '=', row.id).where('status', '=', 'draft').executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw new ConflictError('inventories.not_draft', 'inventories.not_draft', { number: row.number, status: 'changed', action: 'discard' });
        await trx.updateTable('inventory_items').set({ released: true }).where('inventory_id', '=', row.id).execute();
        await recordAudit(trx, { actor, action: 'inventory.discard', objectType: 'inventory', objectId: row.id, details: { number: row.number, reason: why } });
      });
      return view(await findRow(row.id));
    },

    /** The bytes the head of the department signs to approve the draft (canonical JSON). */
    async signingContent(idOrNumber: string): Promise<{ bytes: Buffer; inventory: InventorySummary }> {
      const row = await findRow(idOrNumber);
      await assertDraft(row, 'sign');
      const statement = await statementOf(row);
      return { bytes: Buffer.from(canonicalJson(statement), 'utf8'), inventory: summary(row, await departmentNames([row.department_code]), statement.rows.length) };
    },

    /** The approval statement as signed (stored), for an approved inventory. */
    async approvedStatement(idOrNumber: string): Promise<Buffer> {
      const row = await findRow(idOrNumber);
      const approval = row.approval as InventoryApproval | null;
      if (!approval) throw new ConflictError('inventories.not_approved', 'inventories.not_approved', { number: row.number });
      return readVerifiedBytes(deps.storage, approval.statementSha256);
    },

    /**
     * Approves a draft with the head of the department's CMS signature over signingContent():
     * verified, attributed to the submitting user (bound certificate, department head of the
     * inventory's department), then every dossier gets its inventory number and, for a
     * permanent inventory, its archival cipher, each audited.
     */
    async approve(actor: Actor, idOrNumber: string, cms: Uint8Array): Promise<InventoryView> {
      const row = await findRow(idOrNumber);
      await assertDraft(row, 'approve');
      const commission = row.commission as CommissionProtocol | null;
      if (!commission) throw new ValidationError('inventories.commission_required', 'inventories.commission_required', { number: row.number });
      if (!deps.verifySignature) throw new Error('inventories: approve needs verifySignature');
      const statement = await statementOf(row);
      if (!statement.rows.length) throw new ValidationError('inventories.no_dossiers', 'inventories.no_dossiers', { department: row.department_code, year: row.year, category: row.category });
      const content = Buffer.from(canonicalJson(statement), 'utf8');
      const check = await deps.verifySignature({ signature: cms, content, trustDir: deps.trustDir });
      if (check.verdict !== 'valid') {
        throw new ValidationError('inventories.signature_invalid', 'inventories.signature_invalid', { number: row.number, reason: check.reason ?? check.verdict });
      }
      const { identity, signer } = await authorizeHead(actor, row, check);
      const stored = await putEverywhere(deps.storage, { bytes: content });
      const signature = await putEverywhere(deps.storage, { bytes: cms });
      const permanent = row.category === 'permanent';
      const resealed: (Awaited<ReturnType<typeof resealDossier>> & { sequence: number; cipher: ArchivalCipher | null })[] = [];
      for (const r of statement.rows) {
        const cipher = permanent ? cipherOf(row.fonds_number, row.number, r.number) : null;
        resealed.push({ ...(await resealDossier(r.dossierId, { number: row.number, sequence: r.number, cipher, inventoryId: row.id }, actor)), sequence: r.number, cipher });
      }
      const approval: InventoryApproval = {
        statementSha256: stored.sha256,
        cmsSha256: signature.sha256,
        verdict: check.verdict,
        signer: { ...identity, ...(signer.signingTime ? { signingTime: signer.signingTime } : {}) },
      };
      const at = now();
      await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('inventories')
          .set({ status: 'approved', approved_at: at, approval: JSON.stringify(approval), updated_at: at })
          .where('id', '=', row.id)
          .where('status', '=', 'draft')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw new ConflictError('inventories.not_draft', 'inventories.not_draft', { number: row.number, status: 'changed', action: 'approve' });
        for (const d of resealed) {
          // The dossier must still be the one the head signed (its sealed AIP named in the statement).
          const moved = await trx
            .updateTable('dossiers')
            .set({ metadata: JSON.stringify(d.metadata), aip_manifest_sha256: d.manifest, updated_at: at })
            .where('id', '=', d.dossierId)
            .where('aip_manifest_sha256', '=', d.previousManifest)
            .executeTakeFirst();
          if (Number(moved.numUpdatedRows) !== 1) throw new ConflictError('inventories.dossier_changed', 'inventories.dossier_changed', { index: d.index, number: row.number });
          if (d.cipher) {
            await trx
              .insertInto('archival_ciphers')
              .values({ dossier_id: d.dossierId, inventory_id: row.id, fonds_number: d.cipher.fonds, inventory_number: row.number, case_number: d.cipher.case, code: d.cipher.code, given_by: identity.username })
              .execute();
            await recordAudit(trx, {
              actor,
              action: 'dossier.archival_cipher',
              objectType: 'dossier',
              objectId: d.dossierId,
              details: { cipher: d.cipher.code, fonds: d.cipher.fonds, inventory: row.number, case: d.cipher.case, inventoryId: row.id, index: d.index, previousManifest: d.previousManifest, manifest: d.manifest },
            });
          } else {
            await recordAudit(trx, {
              actor,
              action: 'dossier.inventory_number',
              objectType: 'dossier',
              objectId: d.dossierId,
              details: { inventory: row.number, sequence: d.sequence, inventoryId: row.id, index: d.index, previousManifest: d.previousManifest, manifest: d.manifest },
            });
          }
        }
        await recordAudit(trx, {
          actor,
          action: 'inventory.approve',
          objectType: 'inventory',
          objectId: row.id,
          details: {
            number: row.number,
            fonds: row.fonds_number,
            department: row.department_code,
            year: row.year,
            category: row.category,
            dossiers: resealed.length,
            statement: stored.sha256,
            cms: signature.sha256,
            signer: signer.signer.subject,
            signerUser: identity.username,
            signerRole: identity.role,
            certificateSerial: identity.serialNumber,
            certificateIssuer: identity.issuer,
            ciphers: resealed.filter((d) => d.cipher).map((d) => d.cipher!.code),
          },
        });
      }).catch((error: unknown) => {
        if (uniqueViolation(error)) throw new ConflictError('inventories.cipher_already_given', 'inventories.cipher_already_given', { index: '', cipher: '' });
        throw error;
      });
      // The form as approved: the head's approval block signed and the ciphers in column 8. The
      // draft's renditions the head signed stay named in the stored statement.
      await refreshRenditions(row.id, actor, 'approved');
      return view(await findRow(row.id));
    },
  };
}

export type InventoriesService = ReturnType<typeof createInventoriesService>;

/** sha256 of the canonical statement, for tests and reports. */
export function statementSha256(statement: ApprovalStatement): string {
  return sha256Hex(canonicalJson(statement));
}
