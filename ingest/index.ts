// Ingest: transfer packages in, stored e-dossiers out. Everything HTTP and CLI use goes through here.
export { runIngest, receiveTransfer, processTransfer, unfinishedTransfers, DOCUMENT_MAX_BYTES, DOCUMENT_MAX_FILES, type IngestOptions, type IngestProgress } from './pipeline/run';
export { buildReport, type IngestReport, type ReportDocument } from './pipeline/report';
// Transfer state transitions (failed, retried, cancelled) with their audit events.
export { failTransfer, retryTransfer, cancelTransfer, keepPackage, currentStep, failureView, type TransferFailure, type FailTransferInput } from './intake/transfer-state';
export { listSteps, STEPS, type StepName } from './pipeline/state';
// The catalog rows of a stored dossier; the rebuild from storage writes them with the same mapping.
export { dossierRow, dossierDocumentRow, dossierSignatureRow } from './pipeline/store';
export { loadTools, type IngestDeps, type IngestTools } from './pipeline/tools';
export { startWorker, enqueueTransfer, transferJob, transfersIdle, stopTransferProcessing, TRANSFER_JOB, TRANSFER_MAX_ATTEMPTS, type Worker } from './pipeline/worker';
export { exportAip, readManifest, type AipManifest } from './aip';
export { verifyStoredDossiers, type VerifyReport, type VerifyFailure } from './aip/verify';
export { attachDossierSignature, signingContent } from './dossier/signing';
export { listDossiers, getDossier, findDossier, openAipFile } from './dossier/queries';
export { dossierDates } from './intake/dossiers.service';
