// Step 3: identify each pending document's format; containers are expanded into separate
// documents, unknown, empty, encrypted or misnamed files are rejected.
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { sha256File } from '../../../common/hash';
import { isAppError } from '../../../common/errors';
import { t } from '../../../common/i18n';
import { problem, type Ctx } from '../context';
import { insertDocuments, loadDocs, localFile, writeDocUpdates, reject, patch, isDocumentFault, documentFault, type DocRow, type DocUpdate, type ManifestEntryRecord } from '../documents';
import { sanitiseDeep, sanitiseText } from '../sanitise';
import type { FormatId } from '../tools';
import { eachLimited } from '../pool';
import { runStep } from '../state';
import { OK, type PipelineStep } from '../step';

export const identifyStep: PipelineStep = {
  name: 'identify',
  async run(ctx) {
    await stepIdentify(ctx);
    return OK;
  },
};

/** Identifications at once: each reads a file's head and, for a PDF or a package, a few more parts. */
const IDENTIFY_AT_ONCE = 4;
/**
 * Bytes of files identified at once: a PDF is read through in chunks of up to 4 MB (held with
 * their text), so large files go one at a time, as before, and only small ones side by side.
 */
const IDENTIFY_BUDGET_BYTES = 4 * 1024 * 1024;

/** Identifies every pending document; containers are expanded into separate documents. */
async function stepIdentify(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'identify', async () => {
    const docs = await loadDocs(ctx.deps.db, ctx.transferId);
    const updates = new Map<string, DocUpdate>();
    const newRows: Record<string, unknown>[] = [];
    let nextSeq = docs.reduce((m, d) => Math.max(m, d.seq), 0);
    const queue = docs.filter((d) => d.status === 'pending');
    let done = 0;
    // Taken in rounds: the formats of a round are read a few files at once (each identification
    // mostly waits for its reads, and the step stands before any conversion), then decided in
    // order, so a container's members join the next round with the numbers they always had.
    for (let round = queue.splice(0); round.length; round = queue.splice(0)) {
      const identified = new Array<{ format: FormatId } | { error: unknown }>(round.length);
      await eachLimited(
        round,
        IDENTIFY_AT_ONCE,
        async (doc, i) => {
          identified[i] = await ctx.tools.identifyFormat(localFile(ctx.work, doc), path.basename(doc.source)).then((format) => ({ format }), (error: unknown) => ({ error }));
        },
        (doc) => doc.size,
        IDENTIFY_BUDGET_BYTES,
      );
      for (const [i, doc] of round.entries()) {
        const file = localFile(ctx.work, doc);
        ctx.progress({ step: 'identify', done: done++, total: done + round.length - i - 1 + queue.length, item: doc.source });
        const got = identified[i]!;
        if ('error' in got) {
          if (!isDocumentFault(got.error)) throw got.error;
          reject(doc, updates, documentFault('identify', doc, got.error));
          continue;
        }
        const { format } = got;
        patch(doc, updates, { format });
        if (doc.size === 0) reject(doc, updates, problem('ingest.empty_file', {}, doc.source));
        else if (format.family === 'unknown') reject(doc, updates, problem('ingest.unknown_format', { details: format.problems.join('; ') }, doc.source));
        else if (format.family === 'signature') reject(doc, updates, problem('ingest.signature_without_document', {}, doc.source));
        else if (format.encrypted) reject(doc, updates, problem('ingest.encrypted', { format: format.name }, doc.source));
        else if (!format.extensionMatches) reject(doc, updates, problem('ingest.extension_mismatch', { format: format.name, name: path.basename(doc.source) }, doc.source));
        else if (format.family === 'container') {
          const dest = path.join(ctx.work, 'expanded', String(doc.seq));
          await rm(dest, { recursive: true, force: true });
          try {
            const { entries } = await ctx.tools.expandContainer(file, dest);
            if (!entries.length) {
              reject(doc, updates, problem('ingest.container_empty', {}, doc.source));
              continue;
            }
            patch(doc, updates, { status: 'expanded' });
            for (const member of entries) {
              nextSeq += 1;
              // Member names come from inside the container: sanitised like any document string.
              const source = sanitiseText(`${doc.source}/${member.name}`, 1000);
              const { sha256, size } = await sha256File(member.path);
              const entry: ManifestEntryRecord = { ...doc.entry, localPath: path.relative(ctx.work, member.path), title: sanitiseText(`${doc.entry.title} — ${member.name}`), signatures: [], inferred: [...new Set([...doc.entry.inferred, 'title'])] };
              const child: DocRow = { ...doc, id: `new:${nextSeq}`, seq: nextSeq, source, parent: doc.source, sha256, size, format: null, status: 'pending', problems: [], entry };
              newRows.push({ transfer_id: ctx.transferId, dossier_index: doc.dossierIndex, seq: nextSeq, source_path: source, parent_path: doc.source, sha256, size, status: 'pending', problems: '[]', manifest_entry: JSON.stringify(entry) });
              queue.push(child);
            }
          } catch (error) {
            if (!isDocumentFault(error)) throw error;
            const reason = isAppError(error) ? t('en', error.messageKey, error.params) : error instanceof Error ? error.message : String(error);
            reject(doc, updates, problem('ingest.container_refused', { reason: sanitiseText(reason, 500) }, doc.source));
          }
        }
      }
    }
    // Children expanded in this run carry temporary ids; their verdicts go in with the insert.
    const childUpdates = new Map([...updates].filter(([id]) => id.startsWith('new:')));
    return {
      output: { identified: done, expanded: newRows.length },
      write: async (trx) => {
        await insertDocuments(
          trx,
          newRows.map((row) => {
            const u = childUpdates.get(`new:${row.seq as number}`);
            return { ...row, status: u?.status ?? row.status, problems: JSON.stringify(sanitiseDeep(u?.problems ?? [])), format: u?.format ? JSON.stringify(sanitiseDeep(u.format)) : null };
          }),
        );
        await writeDocUpdates(trx, new Map([...updates].filter(([id]) => !id.startsWith('new:'))));
      },
    };
  }, ctx.afterStep);
}
