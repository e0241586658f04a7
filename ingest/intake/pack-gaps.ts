// What a packed transfer does not say, sorted by what happens to it at the archive (issue 9):
// - filled from the archive's catalog when the package is received: the organisation (name,
//   BIN), the fonds number and the department's name, a dossier's title and retention from the
//   year's nomenclature (the manifest step's completeFromCatalog);
// - refused: required, and the catalog does not know it either (known only when a catalog is
//   consulted: `muragat transfer pack --catalog` on the archive's machine);
// - optional: not given and nobody fills it (document date, number, language, author; who
//   compiled the transfer).
import type { Kysely } from 'kysely';
import type { Database } from '../../database/database';
import { completeFromCatalog } from '../pipeline/steps/manifest';
import type { TransferManifest } from '../pipeline/tools';

export type GapField =
  | 'organisation'
  | 'organisation.bin'
  | 'fonds'
  | 'department.name'
  | 'dossier.title'
  | 'dossier.retention'
  | 'compiledBy'
  | 'date'
  | 'number'
  | 'language'
  | 'author';

export interface Gap {
  /** `transfer.json`, a dossier's case index, or a document's path in the package. */
  where: string;
  field: GapField;
  /** The case index and year a nomenclature item is looked up by; a department's code. */
  index?: string;
  year?: number;
  code?: string;
  clause?: string;
  /** What this archive's catalog fills in (only with a catalog). */
  value?: string;
}

export interface PackGaps {
  /** Whether a catalog was consulted: then `fromCatalog` holds values and `refused` is known. */
  consulted: boolean;
  fromCatalog: Gap[];
  refused: Gap[];
  optional: Gap[];
}

const TRANSFER = 'transfer.json';

/** The manifest as a packed transfer may leave it: organisation, names and titles optional. */
type LooseManifest = Omit<TransferManifest, 'transfer' | 'dossiers'> & {
  transfer: Omit<TransferManifest['transfer'], 'organisation' | 'department'> & { organisation?: { name?: string; bin?: string }; department: { code: string; name?: string } };
  dossiers: (Omit<TransferManifest['dossiers'][number], 'title'> & { title?: string })[];
};

function retentionText(r: unknown): string {
  const v = (r ?? {}) as { kind?: string; years?: number; article?: string };
  return [v.kind, v.years !== undefined ? `${v.years}` : null, v.article ? `art. ${v.article}` : null].filter(Boolean).join(', ');
}

/** The gaps of a packed manifest; with `db`, what this archive's catalog fills and what it cannot. */
export async function packGaps(input: TransferManifest | import('../transfer').TransferManifest, db?: Kysely<Database>): Promise<PackGaps> {
  const manifest = input as unknown as LooseManifest;
  const t = manifest.transfer;
  const year = t.year;
  const fillable: Gap[] = [];
  const optional: Gap[] = [];
  if (!t.organisation?.name) fillable.push({ where: TRANSFER, field: 'organisation' });
  else if (!t.organisation.bin) fillable.push({ where: TRANSFER, field: 'organisation.bin' });
  if (!t.fonds) fillable.push({ where: TRANSFER, field: 'fonds' });
  if (!t.department?.name && t.department?.code) fillable.push({ where: TRANSFER, field: 'department.name', code: t.department.code });
  if (!t.compiledBy) optional.push({ where: TRANSFER, field: 'compiledBy', clause: 'p.210' });
  for (const d of manifest.dossiers) {
    if (!d.title) fillable.push({ where: d.index, field: 'dossier.title', index: d.index, year });
    if (!d.retention) fillable.push({ where: d.index, field: 'dossier.retention', index: d.index, year });
    for (const doc of d.documents) {
      for (const field of ['date', 'number', 'language', 'author'] as const) {
        if (doc[field] === undefined || doc[field] === null || doc[field] === '') optional.push({ where: doc.path, field, clause: 'p.212' });
      }
    }
  }
  if (!db) return { consulted: false, fromCatalog: fillable, refused: [], optional };

  const known = await completeFromCatalog({ db }, input as TransferManifest);
  const filled = new Set(known.filled);
  const after = known.manifest as unknown as LooseManifest;
  const fromCatalog: Gap[] = [];
  const refused: Gap[] = [];
  const dossierAt = (index: string) => manifest.dossiers.findIndex((d) => d.index === index);
  for (const gap of fillable) {
    let value: string | undefined;
    let required = false;
    switch (gap.field) {
      case 'organisation':
        if (filled.has('transfer.organisation.name')) value = `«${after.transfer.organisation?.name}»${after.transfer.organisation?.bin ? ` (BIN ${after.transfer.organisation.bin})` : ''}`;
        required = true;
        break;
      case 'organisation.bin':
        if (filled.has('transfer.organisation.bin')) value = after.transfer.organisation?.bin;
        // A BIN or a fonds number identifies the fonds; one of them is required.
        required = !after.transfer.fonds;
        break;
      case 'fonds':
        if (filled.has('transfer.fonds')) value = after.transfer.fonds;
        break;
      case 'department.name':
        if (filled.has('transfer.department.name')) value = `«${after.transfer.department.name}»`;
        break;
      case 'dossier.title': {
        const i = dossierAt(gap.where);
        if (filled.has(`dossiers/${i}/title`)) value = `«${after.dossiers[i]?.title}»`;
        required = true;
        break;
      }
      case 'dossier.retention': {
        const i = dossierAt(gap.where);
        if (filled.has(`dossiers/${i}/retention`)) value = retentionText(after.dossiers[i]?.retention);
        break;
      }
      default:
        break;
    }
    if (value !== undefined) fromCatalog.push({ ...gap, value });
    else if (required) refused.push(gap);
    else optional.push(gap);
  }
  return { consulted: true, fromCatalog, refused, optional };
}
