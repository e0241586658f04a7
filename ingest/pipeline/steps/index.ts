// The ingest flow, in order. Each entry is one module behind the step contract (../step.ts);
// the order matches STEPS in ../state.ts, which names the durable step records.
import type { PipelineStep } from '../step';
import { unpackStep } from './unpack';
import { manifestStep } from './manifest';
import { nomenclatureCheckStep } from './nomenclature-check';
import { caseIndexStep } from './case-index';
import { identifyStep } from './identify';
import { scanStep } from './scan';
import { signaturesStep } from './signatures';
import { convertStep } from './convert';
import { validateStep } from './validate';
import { reproducibilityStep } from './reproducibility';
import { storeStep } from './store';
import { indexStep } from './index-catalog';
import { completeStep } from './complete';

export const PIPELINE: readonly PipelineStep[] = [
  unpackStep,
  manifestStep,
  nomenclatureCheckStep,
  caseIndexStep,
  identifyStep,
  scanStep,
  signaturesStep,
  convertStep,
  validateStep,
  reproducibilityStep,
  storeStep,
  indexStep,
  completeStep,
];
