// Step 11: mark the transfer completed (with its audit event) in the same transaction as the
// step's done mark.
import { recordAudit } from '../../../audit/audit.service';
import { required } from '../context';
import { runStep } from '../state';
import { OK, type PipelineStep } from '../step';

export const completeStep: PipelineStep = {
  name: 'complete',
  async run(ctx) {
    const dossiers = required(ctx.dossiers, 'stored dossiers');
    await runStep(
      ctx.deps.db,
      ctx.transferId,
      'complete',
      async () => ({
        output: { dossiers: dossiers.length },
        write: async (trx) => {
          await trx.updateTable('transfers').set({ status: 'completed', finished_at: new Date() }).where('id', '=', ctx.transferId).execute();
          await recordAudit(trx, { actor: ctx.actor, action: 'transfer.complete', objectType: 'transfer', objectId: ctx.transferId, details: { dossiers: dossiers.map((d) => d.index) } });
        },
      }),
      ctx.afterStep,
    );
    return OK;
  },
};
