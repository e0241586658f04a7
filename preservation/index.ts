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
export {
  listPreservationRuns,
  getPreservationRun,
  startPreservationRun,
  resumePreservationRun,
  RUN_MODES,
  type PreservationRunView,
  type PreservationRunDetail,
  type RunStartInput,
  type RunDeps,
  type RunMode,
  type RunProgress,
  type RunStatus,
} from './runs';
export { startStorageGuard } from './guard';
export { recordCopyFaults, processRepairQueue } from './read-repair';
export {
  runFixity,
  startFixityRun,
  createFixityRun,
  executeFixityRun,
  resumeFixityRun,
  recoverFixityRuns,
  registerHoldings,
  listFixityRuns,
  getFixityRun,
  stopFixityRuns,
  fixityRunsIdle,
  resolveLocation,
  FIXITY_INTERRUPTED,
  FixityInterruptedError,
  type FixityDeps,
  type FixityRunInput,
  type FixityRunView,
  type FixityRunSummary,
  type FixityProgress,
  type FixityPhase,
} from './fixity.service';
export { renderFixityPdf, FIXITY_REPORT_FORMAT, type FixityRunReport, type FixityReportFinding } from './fixity-report';
export { signWithSystemKey, verifySystemSignature, systemCertificate } from './system-signature';
export {
  fixityOverview,
  getFixitySchedule,
  setFixitySchedule,
  runScheduledBatch,
  scheduleNextBatch,
  startFixityScheduler,
  fixityBatchJob,
  batchesPerCycle,
  FIXITY_JOB_NAME,
  type FixitySchedule,
  type FixitySchedulePatch,
  type FixityCoverage,
  type FixityScheduler,
  type BatchOutcome,
} from './schedule';
export { HashPool, type HashResult } from './hash-pool';
export { lostObjectsView, type LostObjectView } from './dashboard';
