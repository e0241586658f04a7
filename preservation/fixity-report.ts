// The report of a fixity run, kept three ways: in preservation_runs.report (the dashboard reads it),
// and in every storage location as a canonical JSON object and a PDF/A-1b document (forms/
// layout engine, Kazakh) with a detached CMS signature of the PDF by the system key. The
// stored objects' digests are recorded on the run and in its audit event, so a report cannot be
// swapped unnoticed. A report that cannot be written does not undo the run: it says why.
import type { Kysely } from 'kysely';
import type { Selectable } from 'kysely';
import type { Database } from '../database/database';
import { loadSystemKey } from '../audit/audit-anchor';
import { t } from '../common/i18n';
import { logger as rootLogger, type Logger } from '../common/logger';
import { renderFormPdf, type Block } from '../forms/layout';
import { putEverywhere, serialiseJson } from '../ingest/aip';
import type { Storage } from '../storage';
import type { RepairQueueOutcome } from './read-repair';
import * as repo from './fixity.repository';
import type { FixityRunSummary } from './fixity.service';
import { signWithSystemKey, systemCertificate } from './system-signature';

export const FIXITY_REPORT_FORMAT = 'muragat.fixity-report/1';

export interface FixityReportFinding {
  sha256: string;
  location: string;
  fault: 'missing' | 'damaged' | 'unreadable';
  outcome: 'repaired' | 'unrepaired' | 'lost' | 'reported';
  sourceLocation: string | null;
  damagedCopy: string | null;
  detail: string | null;
  dossiers: { id: string; index: string }[];
  paths: string[];
}

export interface FixityRunReport {
  format: typeof FIXITY_REPORT_FORMAT;
  run: {
    id: string;
    trigger: 'schedule' | 'manual';
    scope: string;
    dossierId: string | null;
    location: string | null;
    repair: boolean;
    startedAt: string;
    finishedAt: string;
    runner: string | null;
    actor: string;
    resumed: number;
  };
  summary: FixityRunSummary;
  /** Bad copies met and what became of each (the first 1000; findingsTotal counts all). */
  findings: FixityReportFinding[];
  findingsTotal: number;
  /** Objects with no sound copy in any location, with the dossiers that lose them. */
  lost: { sha256: string; dossiers: { id: string; index: string }[]; rejectedItemsOf: string[]; paths: string[] }[];
  repairQueue?: RepairQueueOutcome;
  /** Who signed the PDF (absent without a key folder). */
  signature?: { algorithm: 'Ed25519'; keyId: string; subject: string };
  /** Why the stored report could not be written, when it could not. */
  reportError?: string;
}

const short = (sha: string) => `${sha.slice(0, 16)}…`;

function pdfBlocks(report: FixityRunReport, lang: 'kk' | 'ru'): Block[] {
  const s = report.summary;
  const r = report.run;
  const tr = (key: string, params: Record<string, unknown> = {}) => t(lang, `preservation.${key}`, params);
  const scope = tr(`scope_${r.scope}`) + (r.location ? ` — ${r.location}` : '') + (r.dossierId ? ` — ${report.lost[0]?.dossiers[0]?.index ?? r.dossierId}` : '');
  const blocks: Block[] = [
    { kind: 'stack', items: [{ kind: 'text', text: tr('report_title'), size: 14, bold: true, align: 'center', spaceAfter: 8 }] },
    {
      kind: 'table',
      table: {
        columns: [{ width: 2 }, { width: 5 }],
        header: [[{ text: tr('report_field') }, { text: tr('report_value') }]],
        rows: [
          { kind: 'cells', cells: [tr('report_run'), r.id] },
          { kind: 'cells', cells: [tr('report_scope'), scope] },
          { kind: 'cells', cells: [tr('report_trigger'), tr(`trigger_${r.trigger}`)] },
          { kind: 'cells', cells: [tr('report_started'), r.startedAt] },
          { kind: 'cells', cells: [tr('report_finished'), r.finishedAt] },
          { kind: 'cells', cells: [tr('report_actor'), r.actor] },
          { kind: 'cells', cells: [tr('report_locations'), s.locations.join('\n')] },
          { kind: 'cells', cells: [tr('report_resumed'), String(r.resumed)] },
          { kind: 'cells', cells: [tr('report_result'), tr(s.ok ? 'result_ok' : 'result_failed')], bold: true },
          { kind: 'cells', cells: [tr('report_checked'), tr('report_checked_value', { objects: s.checked, planned: s.planned, bytes: s.checkedBytes })] },
          { kind: 'cells', cells: [tr('state_intact'), String(s.intact)] },
          { kind: 'cells', cells: [tr('state_repaired'), String(s.repaired)] },
          { kind: 'cells', cells: [tr('state_damaged'), String(s.damaged)] },
          { kind: 'cells', cells: [tr('state_lost'), String(s.lost)] },
          { kind: 'cells', cells: [tr('report_bad_copies'), String(s.badCopies)] },
        ],
        size: 9,
      },
    },
  ];
  if (report.findings.length) {
    blocks.push({ kind: 'space', height: 10 });
    blocks.push({ kind: 'stack', items: [{ kind: 'text', text: tr('report_findings', { count: report.findingsTotal }), bold: true, spaceAfter: 4 }], keepWithNext: true });
    blocks.push({
      kind: 'table',
      table: {
        columns: [{ width: 3 }, { width: 3 }, { width: 2 }, { width: 2 }, { width: 3 }],
        header: [[{ text: tr('col_object') }, { text: tr('col_location') }, { text: tr('col_fault') }, { text: tr('col_outcome') }, { text: tr('col_dossiers') }]],
        rows: report.findings.map((f) => ({
          kind: 'cells' as const,
          cells: [short(f.sha256), f.location, tr(`fault_${f.fault}`), tr(`outcome_${f.outcome}`), f.dossiers.map((d) => d.index).join(', ') || '—'],
        })),
        size: 8,
      },
    });
  }
  if (report.lost.length) {
    blocks.push({ kind: 'space', height: 10 });
    blocks.push({ kind: 'stack', items: [{ kind: 'text', text: tr('report_lost', { count: report.lost.length }), bold: true, spaceAfter: 4 }], keepWithNext: true });
    blocks.push({
      kind: 'table',
      table: {
        columns: [{ width: 4 }, { width: 3 }, { width: 5 }],
        header: [[{ text: tr('col_object') }, { text: tr('col_dossiers') }, { text: tr('col_paths') }]],
        rows: report.lost.map((l) => ({ kind: 'cells' as const, cells: [l.sha256, l.dossiers.map((d) => d.index).join(', ') || '—', l.paths.join('\n')] })),
        size: 8,
      },
    });
  }
  if (report.signature) {
    blocks.push({ kind: 'space', height: 12 });
    blocks.push({ kind: 'stack', items: [{ kind: 'text', text: tr('report_signed', { subject: report.signature.subject, keyId: report.signature.keyId }), size: 8 }] });
  }
  return blocks;
}

/** Renders the PDF/A-1b report (tests and the download route read it back from storage). */
export function renderFixityPdf(report: FixityRunReport, lang: 'kk' | 'ru' = 'kk'): Promise<Uint8Array> {
  return renderFormPdf({
    orientation: 'portrait',
    blocks: pdfBlocks(report, lang),
    title: t(lang, 'preservation.report_title'),
    language: lang,
    author: 'Muragat',
    subject: `fixity run ${report.run.id}`,
    date: new Date(report.run.finishedAt),
    pageLabel: (page, pages) => `${page} / ${pages}`,
  });
}

export async function writeRunReport(
  deps: { db: Kysely<Database>; storage: Storage; keyDir?: string; logger?: Logger },
  run: repo.FixityRunRow,
  summary: FixityRunSummary,
  findings: Selectable<Database['fixity_findings']>[],
  owners: Awaited<ReturnType<typeof repo.ownersOf>>,
  findingsTotal: number,
  repairQueue?: RepairQueueOutcome,
): Promise<{ report: FixityRunReport; objects: { json: string; pdf: string | null; signature: string | null } | null }> {
  const actor = run.actor as { username?: string };
  const lostShas = [...new Set(findings.filter((f) => f.outcome === 'lost').map((f) => f.sha256))];
  const report: FixityRunReport = {
    format: FIXITY_REPORT_FORMAT,
    run: {
      id: run.id,
      trigger: run.trigger,
      scope: run.scope,
      dossierId: run.dossier_id,
      location: run.location,
      repair: run.repair,
      startedAt: new Date(run.started_at).toISOString(),
      finishedAt: new Date().toISOString(),
      runner: run.runner,
      actor: actor.username ?? '?',
      resumed: run.resumed,
    },
    summary,
    findings: findings.map((f) => ({
      sha256: f.sha256,
      location: f.location,
      fault: f.fault,
      outcome: f.outcome,
      sourceLocation: f.source_location,
      damagedCopy: f.damaged_copy,
      detail: f.detail,
      dossiers: owners.get(f.sha256)?.dossiers ?? [],
      paths: owners.get(f.sha256)?.paths ?? [],
    })),
    findingsTotal,
    lost: lostShas.map((sha256) => ({ sha256, dossiers: owners.get(sha256)?.dossiers ?? [], rejectedItemsOf: owners.get(sha256)?.rejected ?? [], paths: owners.get(sha256)?.paths ?? [] })),
    ...(repairQueue ? { repairQueue } : {}),
  };
  try {
    const key = deps.keyDir ? await loadSystemKey(deps.keyDir, { create: true }) : null;
    const certificate = key && deps.keyDir ? await systemCertificate(deps.keyDir, key) : null;
    if (key && certificate) report.signature = { algorithm: 'Ed25519', keyId: key.keyId, subject: certificate.subject };
    const json = await putEverywhere(deps.storage, { bytes: serialiseJson(report) });
    const pdfBytes = await renderFixityPdf(report);
    const pdf = await putEverywhere(deps.storage, { bytes: pdfBytes });
    const signature = key && certificate ? await putEverywhere(deps.storage, { bytes: await signWithSystemKey(pdfBytes, key, certificate) }) : null;
    const objects = { json: json.sha256, pdf: pdf.sha256, signature: signature?.sha256 ?? null };
    await deps.db.transaction().execute(async (trx) => {
      await repo.setReportObjects(trx, run.id, objects);
      // The reports are holdings too: later runs prove them intact.
      await repo.registerObjects(
        trx,
        { kind: 'report', id: run.id, manifest: json.sha256 },
        [
          { sha256: json.sha256, size: json.size, path: 'fixity-report.json' },
          { sha256: pdf.sha256, size: pdf.size, path: 'fixity-report.pdf' },
          ...(signature ? [{ sha256: signature.sha256, size: signature.size, path: 'fixity-report.pdf.p7s' }] : []),
        ],
        true,
      );
    });
    return { report, objects };
  } catch (error) {
    (deps.logger ?? rootLogger()).error({ run: run.id, err: error }, 'fixity report not stored');
    report.reportError = (error as Error).message;
    return { report, objects: null };
  }
}
