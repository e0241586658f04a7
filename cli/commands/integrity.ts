// `muragat integrity run --mode verify|fixity [--dossier D | --location L | --all] [--repair |
// --no-repair] [--resume [id]]`: one command for both modes of a preservation run, recorded in
// preservation_runs like a run started from the web page (same history, same one-run-per-mode
// rule). verify (the default): every stored dossier (or one) verified — objects, chains,
// catalog, signatures — and, with --repair, bad copies restored from a sound one. fixity: every
// object of the scope re-hashed in every location (or one) on all cores, bad copies repaired
// unless --no-repair, losses named with their dossiers, a signed PDF/A report; an interrupted
// one resumes with --resume. Without --mode, --fixity, --all, --location and --resume mean fixity
// (their meaning before the modes were one command).
// `muragat integrity runs [--mode M]`: the one history of both modes.
// `muragat integrity schedule show|set`: the fixity cycle.
import type { Command } from 'commander';
import { ConflictError, isAppError } from '../../common/errors';
import type { Language } from '../../common/i18n';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { systemKeyDir } from '../../audit/audit-anchor';
import { loadTools } from '../../ingest';
import { fixityOverview, resumeFixityRun, runFixity, setFixitySchedule, type FixityRunInput, type FixityRunReport, type FixityRunView } from '../../preservation';
import { listPreservationRuns, runRecordedIntegrity, RUN_MODES, type RunMode } from '../../preservation';
import { cliActor, withCatalog } from '../database';
import { createProgress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';
import { veraPdfAvailable, type PdfaEngine } from '../../validators/pdfa';

export function register(program: Command): void {
  const helpLang = cliLanguage();
  const integrity = program.command('integrity').description(t(helpLang, 'ingest.cli_integrity_description'));
  integrity
    .command('run')
    .description(t(helpLang, 'ingest.cli_integrity_run_description'))
    .option('--mode <mode>', t(helpLang, 'preservation.cli_opt_mode'))
    .option('--repair', t(helpLang, 'ingest.cli_integrity_opt_repair'))
    .option('--no-repair', t(helpLang, 'preservation.cli_opt_no_repair'))
    .option('--dossier <id>', t(helpLang, 'ingest.cli_opt_dossier'))
    .option('--all', t(helpLang, 'preservation.cli_opt_all'))
    .option('--location <location>', t(helpLang, 'preservation.cli_opt_location'))
    .option('--fixity', t(helpLang, 'preservation.cli_opt_fixity'))
    .option('--resume [run]', t(helpLang, 'preservation.cli_opt_resume'))
    .option('--revalidate-pdfa [engine]', t(helpLang, 'pdfa.cli_opt_revalidate'))
    .option('--json', t(helpLang, 'cli.opt_json_report'))
    .action(async (opts: { mode?: string; repair?: boolean; dossier?: string; json?: boolean; revalidatePdfa?: string | boolean; all?: boolean; location?: string; fixity?: boolean; resume?: string | boolean }) => {
      const lang = cliLanguage();
      if (opts.mode !== undefined && !(RUN_MODES as readonly string[]).includes(opts.mode)) {
        throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'preservation.cli_mode_invalid', { mode: opts.mode, modes: RUN_MODES.join(', ') })}`);
      }
      const fixityOnly = opts.location !== undefined || opts.resume !== undefined;
      const mode: RunMode = (opts.mode as RunMode | undefined) ?? (opts.fixity || opts.all || fixityOnly ? 'fixity' : 'verify');
      if (mode === 'fixity') {
        await fixityCommand({ ...opts, all: opts.all || (opts.dossier === undefined && opts.location === undefined) });
        return;
      }
      if (fixityOnly) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'preservation.cli_fixity_only', { option: opts.location !== undefined ? '--location' : '--resume' })}`);
      // Bare --revalidate-pdfa means veraPDF, the reference validator.
      const revalidatePdfa = opts.revalidatePdfa === undefined ? undefined : ((opts.revalidatePdfa === true ? 'verapdf' : opts.revalidatePdfa) as PdfaEngine);
      if (revalidatePdfa !== undefined) {
        if (!['builtin', 'verapdf', 'both'].includes(revalidatePdfa)) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'pdfa.cli_usage_engine', { engine: revalidatePdfa })}`);
        if (revalidatePdfa !== 'builtin' && !(await veraPdfAvailable())) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'pdfa.cli_verapdf_missing')}`);
      }
      const config = loadConfig();
      const tools = await loadTools();
      const { report } = await withCatalog(async ({ db }) => {
        const progress = createProgress({ label: t(lang, 'ingest.cli_integrity_progress'), silent: opts.json, unit: 'items' });
        try {
          return await runRecordedIntegrity({ db, storage: openStorage(config), trustDir: config.trustDir, tools, keyDir: systemKeyDir(config) }, cliActor(), {
            repair: Boolean(opts.repair),
            ...(revalidatePdfa ? { revalidatePdfa } : {}),
            ...(opts.dossier ? { dossierId: opts.dossier } : {}),
            // The embedded catalog is this process's alone: any run it shows as active is orphaned.
            exclusive: !config.databaseUrl,
            onProgress: (_phase, done, total, item) => {
              progress.setTotal(total);
              progress.update(done, item);
            },
          });
        } catch (error) {
          // Another run going on is not a failed check (exit 1) but a state to wait out.
          if (error instanceof ConflictError) throw new CliExit(EXIT.usage, `muragat: ${t(lang, error.messageKey, error.params)}`);
          throw error;
        } finally {
          progress.stop();
        }
      });
      if (opts.json) printJson(report);
      else {
        const lines: string[] = [];
        for (const r of report.repairs) {
          for (const ok of r.repaired) lines.push(t(lang, 'ingest.cli_integrity_repaired', { sha256: r.sha256, location: ok.location, source: r.source ?? '' }));
          for (const bad of r.unrepaired) lines.push(t(lang, 'ingest.cli_integrity_unrepaired', { sha256: r.sha256, location: bad.location, reason: bad.reason }));
        }
        const final = report.afterRepair ?? report.verification;
        for (const d of final.dossiers.filter((x) => !x.ok)) {
          lines.push(t(lang, 'ingest.cli_verify_dossier_failed', { index: d.index, title: d.title, id: d.id, objects: d.objects }));
          for (const f of d.failures) lines.push(`       ${f.kind}: ${f.message}${f.path ? ` [${f.path}]` : ''}`);
        }
        lines.push(t(lang, report.ok ? 'ingest.cli_verify_ok' : 'ingest.cli_verify_failed', { dossiers: final.dossiers.length, objects: report.verification.objectsChecked }));
        process.stdout.write(lines.join('\n') + '\n');
      }
      if (!report.ok) throw new CliExit(EXIT.checkFailed);
    });

  integrity
    .command('runs')
    .description(t(helpLang, 'preservation.cli_runs_description'))
    .option('--mode <mode>', t(helpLang, 'preservation.cli_opt_mode'))
    .option('--limit <n>', t(helpLang, 'preservation.cli_opt_limit'), '20')
    .option('--json', t(helpLang, 'cli.opt_json_report'))
    .action(async (opts: { mode?: string; limit: string; json?: boolean }) => {
      const lang = cliLanguage();
      if (opts.mode !== undefined && !(RUN_MODES as readonly string[]).includes(opts.mode)) {
        throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'preservation.cli_mode_invalid', { mode: opts.mode, modes: RUN_MODES.join(', ') })}`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'preservation.schedule_invalid', { field: '--limit', value: opts.limit, rule: '1–200' })}`);
      const runs = await withCatalog(({ db }) => listPreservationRuns(db, { limit, ...(opts.mode ? { mode: opts.mode as RunMode } : {}) }));
      if (opts.json) {
        printJson({ runs });
        return;
      }
      const lines = runs.map((r) =>
        t(lang, 'preservation.cli_run_line', {
          started: r.startedAt,
          mode: t(lang, `preservation.mode_${r.mode}`),
          scope: `${t(lang, `preservation.scope_${r.scope}`)}${r.location ? `: ${r.location}` : r.dossier ? `: ${r.dossier.index ?? r.dossier.id}` : ''}`,
          status: t(lang, `preservation.ui_status_${r.status}`),
          done: r.progress.done,
          total: r.progress.total,
          username: r.actor.username,
          id: r.id,
        }),
      );
      process.stdout.write((lines.length ? lines.join('\n') : t(lang, 'preservation.ui_runs_none')) + '\n');
    });

  const schedule = integrity.command('schedule').description(t(helpLang, 'preservation.cli_schedule_description'));
  schedule
    .command('show')
    .description(t(helpLang, 'preservation.cli_schedule_show_description'))
    .option('--json', t(helpLang, 'cli.opt_json_report'))
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const overview = await withCatalog(({ db }) => fixityOverview({ db, storage: openStorage(config) }));
      if (opts.json) printJson(overview);
      else process.stdout.write(scheduleText(cliLanguage(), overview) + '\n');
    });
  schedule
    .command('set')
    .description(t(helpLang, 'preservation.cli_schedule_set_description'))
    .option('--cycle-days <days>', t(helpLang, 'preservation.cli_opt_cycle_days'))
    .option('--batch-hours <hours>', t(helpLang, 'preservation.cli_opt_batch_hours'))
    .option('--enable', t(helpLang, 'preservation.cli_opt_enable'))
    .option('--disable', t(helpLang, 'preservation.cli_opt_disable'))
    .option('--repair', t(helpLang, 'preservation.cli_opt_schedule_repair'))
    .option('--no-repair', t(helpLang, 'preservation.cli_opt_no_repair'))
    .option('--next <time>', t(helpLang, 'preservation.cli_opt_next'))
    .option('--json', t(helpLang, 'cli.opt_json_report'))
    .action(async (opts: { cycleDays?: string; batchHours?: string; enable?: boolean; disable?: boolean; repair?: boolean; next?: string; json?: boolean }) => {
      const lang = cliLanguage();
      if (opts.enable && opts.disable) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'preservation.cli_enable_disable')}`);
      const int = (name: string, value: string | undefined) => {
        if (value === undefined) return undefined;
        if (!/^\d+$/.test(value)) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'preservation.schedule_invalid', { field: name, value, rule: '1…' })}`);
        return Number(value);
      };
      const config = loadConfig();
      const overview = await withCatalog(async ({ db }) => {
        try {
          await setFixitySchedule(db, cliActor(), {
            ...(opts.cycleDays !== undefined ? { cycleDays: int('--cycle-days', opts.cycleDays) } : {}),
            ...(opts.batchHours !== undefined ? { batchHours: int('--batch-hours', opts.batchHours) } : {}),
            ...(opts.enable ? { enabled: true } : opts.disable ? { enabled: false } : {}),
            ...(opts.repair !== undefined ? { repair: opts.repair } : {}),
            ...(opts.next !== undefined ? { nextBatchAt: opts.next } : {}),
          });
        } catch (error) {
          if (isAppError(error)) throw new CliExit(EXIT.usage, `muragat: ${t(lang, error.messageKey, error.params)}`);
          throw error;
        }
        return fixityOverview({ db, storage: openStorage(config) });
      });
      if (opts.json) printJson(overview);
      else process.stdout.write(scheduleText(lang, overview) + '\n');
    });
}

function scheduleText(lang: Language, o: Awaited<ReturnType<typeof fixityOverview>>): string {
  const s = o.schedule;
  const c = o.coverage;
  return [
    t(lang, s.enabled ? 'preservation.cli_schedule_enabled' : 'preservation.cli_schedule_disabled', { cycleDays: s.cycleDays, batchHours: s.batchHours, batches: s.batchesPerCycle, next: s.nextBatchAt, repair: String(s.repair) }),
    t(lang, 'preservation.cli_coverage', { objects: c.objects, bytes: c.bytes, proven: c.provenInCycle, percent: Math.round(c.share * 1000) / 10, never: c.neverChecked, oldest: c.oldestCheck ?? '—', lost: c.lost, damaged: c.damaged }),
  ].join('\n');
}

async function fixityCommand(opts: { repair?: boolean; dossier?: string; json?: boolean; all?: boolean; location?: string; resume?: string | boolean }): Promise<void> {
  const lang = cliLanguage();
  const scopes = [opts.all, opts.location !== undefined, opts.dossier !== undefined].filter(Boolean).length;
  if (opts.resume === undefined && scopes !== 1) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'preservation.cli_one_scope')}`);
  const config = loadConfig();
  const run = await withCatalog(async ({ db }) => {
    const progress = createProgress({ label: t(lang, 'preservation.cli_progress'), silent: opts.json, unit: t(lang, 'preservation.cli_unit_objects') });
    const deps = { db, storage: openStorage(config), keyDir: systemKeyDir(config) };
    const onProgress = (_phase: string, done: number, total: number, item: string) => {
      progress.setTotal(total);
      progress.update(done, item.slice(0, 16));
    };
    try {
      if (opts.resume !== undefined) {
        const resumed = await resumeFixityRun(deps, cliActor(), typeof opts.resume === 'string' ? opts.resume : undefined, { onProgress, exclusive: !config.databaseUrl });
        if (!resumed) throw new CliExit(EXIT.usage, `muragat: ${t(lang, 'preservation.cli_nothing_to_resume')}`);
        return resumed;
      }
      const input: FixityRunInput = opts.all
        ? { scope: 'all', repair: opts.repair !== false }
        : opts.location !== undefined
          ? { scope: 'location', location: opts.location, repair: opts.repair !== false }
          : { scope: 'dossier', dossier: opts.dossier!, repair: opts.repair !== false };
      return await runFixity(deps, cliActor(), input, { onProgress });
    } catch (error) {
      if (isAppError(error)) throw new CliExit(EXIT.usage, `muragat: ${t(lang, error.messageKey, error.params)}`);
      throw error;
    } finally {
      progress.stop();
    }
  });
  if (opts.json) printJson(run);
  else process.stdout.write(fixityText(lang, run) + '\n');
  if (run.status !== 'passed') throw new CliExit(EXIT.checkFailed);
}

function fixityText(lang: Language, run: FixityRunView): string {
  const s = run.summary!;
  const report = run.report as FixityRunReport | null | undefined;
  const lines: string[] = [];
  for (const f of report?.findings ?? []) {
    lines.push(t(lang, 'preservation.cli_finding', { sha256: f.sha256, location: f.location, fault: t(lang, `preservation.fault_${f.fault}`), outcome: t(lang, `preservation.outcome_${f.outcome}`), dossiers: f.dossiers.map((d) => d.index).join(', ') || '—' }));
  }
  for (const l of report?.lost ?? []) {
    lines.push(t(lang, 'preservation.cli_lost', { sha256: l.sha256, dossiers: l.dossiers.map((d) => d.index).join(', ') || '—', paths: l.paths.join(', ') }));
  }
  lines.push(t(lang, 'preservation.cli_summary', { id: run.id, checked: s.checked, intact: s.intact, repaired: s.repaired, damaged: s.damaged, lost: s.lost, seconds: s.seconds }));
  if (run.reportObjects) lines.push(t(lang, 'preservation.cli_report_objects', { json: run.reportObjects.json, pdf: run.reportObjects.pdf ?? '—', signature: run.reportObjects.signature ?? '—' }));
  return lines.join('\n');
}
