// The step contract: each step of the ingest flow is one module exporting a `PipelineStep`.
// A step records its effects durably through `runStep` (state.ts), so a re-run after a crash,
// a failure or a retry resumes at the first step not yet done.
import type { Problem } from '../tables';
import type { Ctx } from './context';
import type { StepName } from './state';

/** `ok: false` refuses the transfer as a whole (a sender failure); its problems say why. */
export type StepOutcome = { ok: true } | { ok: false; problems: Problem[] };

export interface PipelineStep {
  readonly name: StepName;
  run(ctx: Ctx): Promise<StepOutcome>;
}

export const OK: StepOutcome = { ok: true };
