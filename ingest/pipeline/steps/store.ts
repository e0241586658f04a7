// Step 9: build each e-dossier and write all of its objects to the store (primary and
// replicas), sealing its AIP manifest last. Objects are write-once and content-addressed, so a
// re-run after a failure writes the same objects again harmlessly.
import { required } from '../context';
import { runStep } from '../state';
import { OK, type PipelineStep } from '../step';
import { storeDossiers } from '../store';

export const storeStep: PipelineStep = {
  name: 'store',
  async run(ctx) {
    const manifest = required(ctx.manifest, 'manifest');
    ctx.dossiers = await runStep(ctx.deps.db, ctx.transferId, 'store', async () => ({ output: await storeDossiers(ctx, manifest) }), ctx.afterStep);
    return OK;
  },
};
