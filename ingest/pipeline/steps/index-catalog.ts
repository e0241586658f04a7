// Step 10: name each stored dossier in the catalog, one transaction per dossier.
import { required } from '../context';
import { runStep } from '../state';
import { OK, type PipelineStep } from '../step';
import { indexDossiers } from '../store';

export const indexStep: PipelineStep = {
  name: 'index',
  async run(ctx) {
    const dossiers = required(ctx.dossiers, 'stored dossiers');
    await runStep(ctx.deps.db, ctx.transferId, 'index', async () => ({ output: { indexed: await indexDossiers(ctx, dossiers) } }), ctx.afterStep);
    return OK;
  },
};
