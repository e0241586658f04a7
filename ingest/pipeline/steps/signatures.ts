// Step 5: verify each document's detached CMS signatures against the trust store.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { problem, type Ctx } from '../context';
import { loadDocs, localFile, writeDocUpdates, reject, warn, patch, pending, isDocumentFault, documentFault, type DocUpdate } from '../documents';
import { runStep } from '../state';
import { keepEvidenceInWork, type EvidenceOfVerification } from '../../aip/signature-evidence';
import { OK, type PipelineStep } from '../step';

export const signaturesStep: PipelineStep = {
  name: 'signatures',
  async run(ctx) {
    await stepSignatures(ctx);
    return OK;
  },
};

async function stepSignatures(ctx: Ctx): Promise<void> {
  await runStep(ctx.deps.db, ctx.transferId, 'signatures', async () => {
    const docs = await loadDocs(ctx.deps.db, ctx.transferId);
    const updates = new Map<string, DocUpdate>();
    const accept = ctx.options.acceptInvalidSignature ?? {};
    const targets = pending(docs);
    let i = 0;
    for (const doc of targets) {
      ctx.progress({ step: 'signatures', done: i++, total: targets.length, item: doc.source });
      const sigs = doc.entry.signatures;
      if (!sigs.length) {
        patch(doc, updates, { signature: { verdict: 'unsigned', signers: [], files: [] } });
        if (ctx.deps.config.requireSignatures) reject(doc, updates, problem('ingest.signature_required', {}, doc.source));
        continue;
      }
      let verdict: 'valid' | 'invalid' | 'cannot-verify' = 'valid';
      const signers: string[] = [];
      const reasons: string[] = [];
      const evidence: EvidenceOfVerification[] = [];
      try {
        for (const s of sigs) {
          const cms = await readFile(path.join(ctx.work, 'files', s.path));
          const report = await ctx.tools.verifySignature({
            signature: cms,
            content: localFile(ctx.work, doc),
            trustDir: ctx.deps.config.trustDir,
          });
          // The certificates, CRLs and anchor used go into the AIP with the signature (p.94–97-1).
          evidence.push(await keepEvidenceInWork(ctx.work, report, new Uint8Array(cms)));
          signers.push(...report.signers.map((x) => x.signer.subject));
          if (report.reason) reasons.push(`${s.path}: ${report.reason}`);
          if (report.verdict === 'invalid') verdict = 'invalid';
          else if (report.verdict === 'cannot-verify' && verdict === 'valid') verdict = 'cannot-verify';
        }
      } catch (error) {
        if (!isDocumentFault(error)) throw error;
        reject(doc, updates, documentFault('signatures', doc, error));
        continue;
      }
      patch(doc, updates, { signature: { verdict, reason: reasons.join('; ') || undefined, signers, files: sigs, evidence } });
      if (verdict === 'invalid') {
        const why = accept[doc.source];
        if (why) {
          patch(doc, updates, { acceptedWithReason: why });
          warn(doc, updates, problem('ingest.signature_invalid_accepted', { reason: why, details: reasons.join('; ') }, doc.source));
        } else {
          reject(doc, updates, problem('ingest.signature_invalid', { details: reasons.join('; ') }, doc.source));
        }
      } else if (verdict === 'cannot-verify') {
        warn(doc, updates, problem('ingest.signature_cannot_verify', { details: reasons.join('; ') }, doc.source));
      }
    }
    return { output: { checked: targets.length }, write: (trx) => writeDocUpdates(trx, updates) };
  }, ctx.afterStep);
}
