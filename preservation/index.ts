// Preservation: proving over time that what the archive keeps is intact. Integrity runs
// re-verify every stored object, chain and signature, repair bad copies from sound ones in
// another storage location, and re-validate renditions; the storage guard and read repair
// handle what users' reads meet between runs. Knows nothing of HTTP.
export { runIntegrity, type IntegrityRunReport, type IntegrityRunOptions } from './integrity';
export {
  startIntegrityRun,
  runRecordedIntegrity,
  listIntegrityRuns,
  getIntegrityRun,
  recoverInterruptedRuns,
  stopIntegrityRuns,
  integrityRunsIdle,
  summariseReport,
  INTERRUPTED,
  type IntegrityRunView,
  type IntegrityRunResult,
  type IntegrityRunSummary,
  type IntegrityRunInput,
  type IntegrityRunDeps,
} from './runs.service';
export { startStorageGuard } from './guard';
export { recordCopyFaults, processRepairQueue } from './read-repair';
