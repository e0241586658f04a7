// Files embedded in a PDF original become further originals of its document (the convert step
// extracts them, the store step keeps them as attachments with `embeddedIn`). They exist only
// after conversion, so the scan step cannot see them: each is scanned here, in its own right,
// before the document is validated and stored. The same policy as the scan step: an infected
// file rejects the document whatever the policy — the PDF that carries it and the extracted
// file go to this transfer's malware quarantine, never the store — and a file that could not be
// scanned rejects it or passes with a warning (MURAGAT_MALWARE_POLICY). Each file's result goes
// with the document's malware result (`embedded`), so the report names it.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { malwareVerdict, quarantineInfected } from '../scan/malware';
import { problem, type Ctx } from './context';
import { localFile, patch, reject, warn, type DocRow, type DocUpdate } from './documents';
import { convertEmbedded } from './steps/convert';
import type { EmbeddedScan, MalwareResult } from './tools';

/** Scans the embedded files of `docs` (pending documents); rejects or warns through `updates`. */
export async function scanEmbeddedFiles(ctx: Ctx, docs: DocRow[], updates: Map<string, DocUpdate>): Promise<number> {
  const embedded = await convertEmbedded(ctx);
  const targets = docs.filter((d) => embedded[d.id]?.length);
  if (!targets.length) return 0;
  const policy = ctx.deps.config.malwarePolicy;
  const infectedRoot = path.join(ctx.deps.config.dataDir, 'quarantine', 'infected', ctx.transferId);
  const quarantineName = (doc: DocRow, file: string, kind: 'embedded' | 'original') => `${String(doc.seq).padStart(4, '0')}-${kind === 'embedded' ? 'embedded-' : ''}${path.basename(file)}`;
  // A re-run after a crash finds a file already moved to quarantine there.
  const located = new Map<string, string>();
  for (const doc of targets) {
    for (const e of embedded[doc.id]!) {
      const file = path.join(ctx.work, e.path);
      const moved = path.join(infectedRoot, quarantineName(doc, file, 'embedded'));
      located.set(file, (await stat(file).catch(() => null)) ? file : (await stat(moved).catch(() => null)) ? moved : file);
    }
  }
  const results: Map<string, MalwareResult> = await ctx.tools.scanForMalware([...new Set(located.values())], { policy, databaseDir: ctx.deps.config.clamavDatabaseDir });
  for (const doc of targets) {
    const files = embedded[doc.id]!.map((e) => ({ e, file: path.join(ctx.work, e.path) }));
    const each = files.map(({ e, file }) => ({ e, file, result: results.get(located.get(file) ?? file) ?? ({ status: 'not-scanned', warning: 'scan_error: no result' } as MalwareResult) }));
    const scans: EmbeddedScan[] = each.map(({ e, result }) => ({
      name: e.name,
      sha256: e.sha256,
      status: result.status,
      ...(result.signature ? { signature: result.signature } : {}),
      ...(result.warning ? { warning: result.warning } : {}),
    }));
    // The document's result is the worst of its original's (scan step) and its embedded files'.
    const own = doc.malware ?? ({ status: 'not-scanned', warning: 'scan_error: no result' } as MalwareResult);
    const overall = malwareVerdict([own, ...each.map((x) => x.result)], policy).result;
    patch(doc, updates, { malware: { ...overall, engine: overall.engine ?? own.engine, engineVersion: overall.engineVersion ?? own.engineVersion, embedded: scans } });
    for (const { e, result } of each) {
      const verdict = malwareVerdict([result], policy);
      if (!verdict.problem || verdict.action === 'accept') continue;
      const p =
        result.status === 'infected'
          ? problem('ingest.malware_found_embedded', { file: e.name, signature: result.signature ?? '' }, doc.source)
          : problem('ingest.malware_not_scanned_embedded', { file: e.name, reason: result.warning ?? result.status }, doc.source);
      if (verdict.action === 'warn') warn(doc, updates, p);
      else reject(doc, updates, p);
    }
    if (!each.some((x) => x.result.status === 'infected')) continue;
    // The PDF carries the infected bytes too: neither it nor what was extracted reaches the store.
    for (const { file, result } of each) {
      const at = located.get(file) ?? file;
      if (result.status !== 'infected' || at !== file) continue;
      const kept = await quarantineInfected(file, infectedRoot, quarantineName(doc, file, 'embedded'));
      warn(doc, updates, problem('ingest.malware_quarantined', { file: path.relative(ctx.deps.config.dataDir, kept) }, doc.source));
    }
    const original = localFile(ctx.work, doc);
    if (await stat(original).catch(() => null)) {
      const kept = await quarantineInfected(original, infectedRoot, quarantineName(doc, original, 'original'));
      warn(doc, updates, problem('ingest.malware_quarantined', { file: path.relative(ctx.deps.config.dataDir, kept) }, doc.source));
    }
  }
  return targets.length;
}
