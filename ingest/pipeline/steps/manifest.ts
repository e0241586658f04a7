// Step 2: read manifest.json, check it against its schema and the unpacked files, and record
// one row per document (a document naming a problem is rejected here, the others go on).
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Problem } from '../../tables';
import { problem, required, DOCUMENT_MAX_BYTES, DOCUMENT_MAX_FILES, type Ctx, type UnpackedEntry } from '../context';
import type { ManifestEntryRecord } from '../documents';
import { runStep } from '../state';
import type { PipelineStep } from '../step';
import type { TransferManifest } from '../tools';

interface ManifestOut { ok: boolean; problems: Problem[]; manifest: TransferManifest }

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
      manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as TransferManifest;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'ingest.manifest_missing' : 'ingest.manifest_unreadable';
      return { output: { ok: false, problems: [problem(code, {}, 'manifest.json')], manifest: null as unknown as TransferManifest } };
    }
    const schema = ctx.tools.validateAgainst('transfer-manifest', manifest);
    if (!schema.valid) {
      const problems = schema.problems.map((p) => problem('ingest.manifest_invalid', { pointer: p.pointer, reason: p.message.en ?? p.keyword }, `manifest.json${p.pointer}`));
      return { output: { ok: false, problems, manifest } };
    }
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
          problems: JSON.stringify(problems),
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
      output: { ok: true, problems: transferProblems, manifest },
      write: async (trx) => {
        for (const row of rows) {
          await trx.insertInto('documents').values(row as never).onConflict((oc) => oc.columns(['transfer_id', 'source_path']).doNothing()).execute();
        }
        await trx
          .updateTable('transfers')
          .set({ department: manifest.transfer.department.code, year: manifest.transfer.year, problems: JSON.stringify(transferProblems) })
          .where('id', '=', ctx.transferId)
          .execute();
      },
    };
  }, ctx.afterStep);
}
