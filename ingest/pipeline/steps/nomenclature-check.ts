// After the manifest: every dossier must be a case of the approved nomenclature of its year,
// in the transferring department's section (p.156: no dossier outside the nomenclature). A
// dossier that is not refuses the transfer, naming the index, the year and the department;
// the sender adds the case to the nomenclature (a new revision) or corrects the index, then
// retries. Which years are checked is decided by catalog/nomenclature (ingest-check.ts).
// Cheap and repeatable, so it is not a durable step: it runs again on every resume, against
// the nomenclature in force then.
import { checkDossierIndexes } from '../../../catalog/nomenclature';
import { problem, required, type Ctx } from '../context';
import type { PipelineStep } from '../step';

export const nomenclatureCheckStep: PipelineStep = {
  // Reported as part of the manifest step: it is a verdict on what the manifest declares.
  name: 'manifest',
  async run(ctx: Ctx) {
    const manifest = required(ctx.manifest, 'manifest');
    const indexes = [...new Set(manifest.dossiers.map((d) => d.index))];
    if (!indexes.length) return { ok: true };
    const check = await checkDossierIndexes(ctx.deps.db, { year: manifest.transfer.year, department: manifest.transfer.department.code, indexes });
    if (!check.refusals.length) return { ok: true };
    return { ok: false, problems: check.refusals.map((r) => problem(r.code, r.params, `manifest.json (${r.index})`, 'p.156')) };
  },
};
