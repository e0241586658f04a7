// Step 2: read manifest.json, check it against its schema and the unpacked files, and record
// one row per document (a document naming a problem is rejected here, the others go on).
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Problem } from '../../tables';
import { createOrganisationService } from '../../../catalog/organisation.service';
import { findItemRow, findNomenclature } from '../../../catalog/nomenclature';
import { JsonLimitError, parseBoundedJson } from '../bounded-json';
import { sanitiseDeep } from '../sanitise';
import { problem, required, DOCUMENT_MAX_BYTES, DOCUMENT_MAX_FILES, type Ctx, type UnpackedEntry } from '../context';
import { insertDocuments, type ManifestEntryRecord } from '../documents';
import { runStep } from '../state';
import type { PipelineStep } from '../step';
import type { TransferManifest } from '../tools';

interface ManifestOut { ok: boolean; problems: Problem[]; manifest: TransferManifest; fromCatalog?: string[] }

/** manifest.json above this is refused unread (a real one for 10,000 documents is about 5 MB). */
export const MANIFEST_MAX_BYTES = 32 * 1024 * 1024;
const MANIFEST_TEXT_MAX = 2000;

/**
 * Fills in the transfer's organisation (name, BIN), fonds and department name from the catalog
 * when the package leaves them out (a package packed without transfer.json), and a dossier's
 * title and retention from the year's nomenclature. Returns the fields filled and those still
 * missing that refuse the transfer. `muragat transfer pack --catalog` asks the same question
 * (ingest/intake/pack-gaps.ts).
 */
export async function completeFromCatalog(deps: { db: Ctx['deps']['db'] }, manifest: TransferManifest): Promise<{ manifest: TransferManifest; filled: string[]; missing: string[] }> {
  const transfer = { ...manifest.transfer } as TransferManifest['transfer'] & { organisation?: { bin?: string; name?: string } };
  const filled: string[] = [];
  const needOrganisation = !transfer.organisation?.name || !transfer.organisation.bin;
  const needDepartment = !transfer.department?.name;
  const needFonds = !transfer.fonds;
  if (needOrganisation || needDepartment || needFonds) {
    const service = createOrganisationService({ db: deps.db });
    const organisation = await service.get();
    if (organisation) {
      const given = transfer.organisation ?? {};
      // A BIN the sender gave is kept; the catalog's is used only for what is absent.
      if (!given.name) filled.push('transfer.organisation.name');
      if (!given.bin) filled.push('transfer.organisation.bin');
      transfer.organisation = { name: given.name || organisation.nameKk || organisation.nameRu, bin: given.bin || organisation.bin };
      if (needFonds && organisation.fondsNumber) {
        transfer.fonds = organisation.fondsNumber;
        filled.push('transfer.fonds');
      }
    }
    if (needDepartment && transfer.department?.code) {
      const department = (await service.listDepartments()).find((d) => d.code === transfer.department.code);
      if (department) {
        transfer.department = { ...transfer.department, name: department.nameKk || department.nameRu };
        filled.push('transfer.department.name');
      }
    }
  }
  // A dossier's title and retention from the approved nomenclature of the year (p.211).
  const dossiers = [...manifest.dossiers];
  if (dossiers.some((d) => !d.title || !d.retention)) {
    const nomenclature = await findNomenclature(deps.db, transfer.year);
    for (const [i, d] of dossiers.entries()) {
      if ((d.title && d.retention) || !nomenclature) continue;
      const item = await findItemRow(deps.db, nomenclature.id, d.index);
      if (!item) continue;
      const next = { ...d };
      if (!d.title) {
        next.title = item.heading;
        filled.push(`dossiers/${i}/title`);
      }
      if (!d.retention) {
        next.retention = { kind: item.retention_kind, ...(item.retention_years !== null ? { years: item.retention_years } : {}), ...(item.retention_article ? { article: item.retention_article } : {}) };
        filled.push(`dossiers/${i}/retention`);
      }
      dossiers[i] = next;
    }
  }
  const missing: string[] = [];
  for (const [i, d] of dossiers.entries()) if (!d.title) missing.push(`dossiers/${i}/title (${d.index})`);
  if (!transfer.organisation?.name) missing.push('transfer.organisation.name');
  if (!transfer.organisation?.bin && !transfer.fonds) missing.push('transfer.organisation.bin');
  return { manifest: { ...manifest, transfer: transfer as TransferManifest['transfer'], dossiers }, filled, missing };
}

export const manifestStep: PipelineStep = {
  name: 'manifest',
  async run(ctx) {
    const out = await stepManifest(ctx, required(ctx.entries, 'unpacked entries'));
    if (!out.ok) return { ok: false, problems: out.problems };
    ctx.manifest = out.manifest;
    return { ok: true };
  },
};

async function stepManifest(ctx: Ctx, entries: { path: string; size: number; sha256: string }[]): Promise<ManifestOut> {
  return runStep<ManifestOut>(ctx.deps.db, ctx.transferId, 'manifest', async () => {
    const manifestPath = path.join(ctx.work, 'files', 'manifest.json');
    let manifest: TransferManifest;
    try {
      // Bounded: a manifest nested 100,000 deep or of gigabytes is the sender's fault, said once.
      // Every string in it is sanitised before it can reach the catalog or a report.
      // Over-long values are cut to 2,000 characters (the schema's limit for a document title)
      // so one document's runaway title does not refuse the whole package.
      manifest = sanitiseDeep(parseBoundedJson(await readFile(manifestPath), { where: 'manifest.json', maxBytes: MANIFEST_MAX_BYTES }) as TransferManifest, MANIFEST_TEXT_MAX);
    } catch (error) {
      if (error instanceof JsonLimitError) {
        return { output: { ok: false, problems: [problem(error.messageKey, error.params as Record<string, unknown>, 'manifest.json')], manifest: null as unknown as TransferManifest } };
      }
      const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ingest.manifest_missing' : 'ingest.manifest_unreadable';
      return { output: { ok: false, problems: [problem(code, {}, 'manifest.json')], manifest: null as unknown as TransferManifest } };
    }
    const schema = ctx.tools.validateAgainst('transfer-manifest', manifest);
    if (!schema.valid) {
      const problems = schema.problems.map((p) => problem('ingest.manifest_invalid', { pointer: p.pointer, reason: p.message.en ?? p.keyword }, `manifest.json${p.pointer}`));
      return { output: { ok: false, problems, manifest } };
    }
    // Required metadata before any conversion: what the package does not say, the archive's
    // catalog may know (its own organisation, fonds, departments); what neither knows refuses it.
    const known = await completeFromCatalog(ctx.deps, manifest);
    if (known.missing.length) {
      return { output: { ok: false, problems: known.missing.map((field) => problem('ingest.metadata_missing', { field }, 'manifest.json', 'p.210')), manifest } };
    }
    manifest = known.manifest;
    const found = ctx.tools.checkManifestAgainstFiles(manifest, entries);
    const byFile = new Map(entries.map((e) => [e.path, e]));
    // Problems naming a document (or one of its signature files) belong to that document.
    const owner = new Map<string, string>();
    for (const d of manifest.dossiers) for (const doc of d.documents) {
      owner.set(doc.path, doc.path);
      for (const s of [...(doc.signatures ?? []), ...(doc.attachments ?? [])]) owner.set(s.path, doc.path);
    }
    const perDoc = new Map<string, Problem[]>();
    const transferProblems: Problem[] = [];
    const extra: string[] = [];
    for (const p of found) {
      const where = p.where.replace(/^\/+/, '');
      const doc = owner.get(where) ?? [...owner.keys()].find((k) => p.where.includes(k));
      const mapped: Problem = { code: p.code, message: p.message, where: p.where, ...(p.clause ? { clause: p.clause } : {}) };
      if (doc) perDoc.set(owner.get(doc)!, [...(perDoc.get(owner.get(doc)!) ?? []), mapped]);
      else if (byFile.has(where) && where !== 'manifest.json') extra.push(where);
      else transferProblems.push(mapped);
    }
    let seq = 0;
    const rows: Record<string, unknown>[] = [];
    for (const dossier of manifest.dossiers) {
      for (const doc of dossier.documents) {
        seq += 1;
        const file = byFile.get(doc.path);
        const problems = perDoc.get(doc.path) ?? [];
        const sigBytes = [...(doc.signatures ?? []), ...(doc.attachments ?? [])].reduce((n, s) => n + (byFile.get(s.path)?.size ?? 0), 0);
        // p.147: the limit is of the e-document, all of its files together.
        if ((file?.size ?? 0) + sigBytes > DOCUMENT_MAX_BYTES && !problems.some((p) => /size|limit|large/i.test(p.code))) {
          problems.push(problem('ingest.document_too_large', { size: (file?.size ?? 0) + sigBytes, limit: DOCUMENT_MAX_BYTES }, doc.path, 'p.147'));
        }
        const fileCount = 1 + (doc.signatures?.length ?? 0) + (doc.attachments?.length ?? 0);
        if (fileCount > DOCUMENT_MAX_FILES) {
          problems.push(problem('ingest.document_too_many_files', { count: fileCount, limit: DOCUMENT_MAX_FILES }, doc.path, 'p.147'));
        }
        if (!file) problems.push(problem('ingest.document_missing', {}, doc.path));
        const entry: ManifestEntryRecord = {
          localPath: path.join('files', doc.path),
          volume: dossier.volume ?? 1,
          title: doc.title,
          date: doc.date ?? null,
          number: doc.number ?? null,
          language: doc.language ?? null,
          author: doc.author ?? null,
          pages: doc.pages ?? null,
          kind: doc.kind ?? null,
          inferred: doc.inferred ?? [],
          signatures: (doc.signatures ?? []).filter((s) => byFile.has(s.path)).map((s) => ({ path: s.path, sha256: byFile.get(s.path)!.sha256, size: byFile.get(s.path)!.size })),
          attachments: (doc.attachments ?? []).filter((s) => byFile.has(s.path)).map((s) => ({ path: s.path, sha256: byFile.get(s.path)!.sha256, size: byFile.get(s.path)!.size })),
        };
        rows.push({
          transfer_id: ctx.transferId,
          dossier_index: dossier.index,
          seq,
          source_path: doc.path,
          parent_path: null,
          sha256: file?.sha256 ?? doc.sha256,
          size: file?.size ?? 0,
          status: problems.length ? 'rejected' : 'pending',
          problems: JSON.stringify(sanitiseDeep(problems)),
          manifest_entry: JSON.stringify(entry),
        });
      }
    }
    // Files in the package the manifest does not list are kept as rejected items.
    const signatureFiles = new Set(manifest.dossiers.flatMap((d) => d.documents.flatMap((doc) => [...(doc.signatures ?? []), ...(doc.attachments ?? [])].map((s) => s.path))));
    for (const e of entries) {
      if (e.path === 'manifest.json' || owner.has(e.path) || signatureFiles.has(e.path)) continue;
      if (!extra.includes(e.path)) extra.push(e.path);
    }
    for (const p of extra) {
      const e = byFile.get(p)!;
      seq += 1;
      rows.push({
        transfer_id: ctx.transferId,
        dossier_index: null,
        seq,
        source_path: p,
        parent_path: null,
        sha256: e.sha256,
        size: e.size,
        status: 'rejected',
        problems: JSON.stringify([problem('ingest.not_in_manifest', {}, p)]),
        manifest_entry: JSON.stringify({ localPath: path.join('files', p), volume: 1, title: path.basename(p), date: null, number: null, language: null, author: null, pages: null, kind: null, inferred: [], signatures: [] } satisfies ManifestEntryRecord),
      });
    }
    return {
      output: { ok: true, problems: transferProblems, manifest, fromCatalog: known.filled },
      write: async (trx) => {
        await insertDocuments(trx, rows);
        await trx
          .updateTable('transfers')
          .set({ department: manifest.transfer.department.code, year: manifest.transfer.year, problems: JSON.stringify(sanitiseDeep(transferProblems)) })
          .where('id', '=', ctx.transferId)
          .execute();
      },
    };
  }, ctx.afterStep);
}
