// `muragat backup create|list|restore` (destruction/backup.ts): the catalog as a logical dump
// and every storage location's objects and records; content keys are never included.
import path from 'node:path';
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { createBackup, listBackups, restoreBackup, type BackupPhase } from '../../destruction';
import { cliActor, withCatalog } from '../database';
import { createProgress, type Progress } from '../progress';
import { cliLanguage, printJson } from '../output';

function phasedProgress(lang: ReturnType<typeof cliLanguage>, silent: boolean | undefined) {
  const bars = new Map<BackupPhase, Progress>();
  return {
    on(phase: BackupPhase, done: number, total: number, item: string) {
      let bar = bars.get(phase);
      if (!bar) {
        for (const other of bars.values()) other.stop();
        bar = createProgress({ label: t(lang, `destruction.cli_phase_${phase}`), silent, total });
        bars.set(phase, bar);
      }
      bar.setTotal(total);
      bar.update(done, item.slice(0, 40));
    },
    stop() {
      for (const bar of bars.values()) bar.stop();
    },
  };
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const backup = program.command('backup').description(t(lang, 'destruction.cli_backup_description'));
  const defaultDir = () => path.join(loadConfig().dataDir, 'backups');

  backup
    .command('create')
    .description(t(lang, 'destruction.cli_backup_create_description'))
    .option('--dir <folder>', t(lang, 'destruction.cli_opt_dir'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (opts: { dir?: string; json?: boolean }) => {
      const config = loadConfig();
      const progress = phasedProgress(lang, opts.json);
      const made = await withCatalog(async ({ db }) => {
        try {
          return await createBackup({ db, storage: openStorage(config) }, cliActor(), path.resolve(opts.dir ?? defaultDir()), { onProgress: progress.on });
        } finally {
          progress.stop();
        }
      });
      if (opts.json) printJson(made);
      else process.stdout.write(t(lang, 'destruction.cli_backup_created', { id: made.id, path: made.path, rows: made.tables.reduce((n, x) => n + x.rows, 0), objects: made.storage.objects, bytes: made.storage.bytes }) + '\n');
    });

  backup
    .command('list')
    .description(t(lang, 'destruction.cli_backup_list_description'))
    .option('--dir <folder>', t(lang, 'destruction.cli_opt_dir'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (opts: { dir?: string; json?: boolean }) => {
      const list = await listBackups(path.resolve(opts.dir ?? defaultDir()));
      if (opts.json) printJson(list);
      else if (!list.length) process.stdout.write(t(lang, 'destruction.cli_backup_none') + '\n');
      else for (const b of list) process.stdout.write(t(lang, 'destruction.cli_backup_line', { id: b.id, at: b.createdAt, rows: b.tables.reduce((n, x) => n + x.rows, 0), objects: b.storage.objects, path: b.path }) + '\n');
    });

  backup
    .command('restore')
    .description(t(lang, 'destruction.cli_backup_restore_description'))
    .argument('<backup>', t(lang, 'destruction.cli_arg_backup'))
    .option('--keys-from <folder...>', t(lang, 'destruction.cli_opt_keys_from'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .action(async (backupPath: string, opts: { keysFrom?: string[]; json?: boolean }) => {
      const config = loadConfig();
      const progress = phasedProgress(lang, opts.json);
      const report = await withCatalog(async ({ db }) => {
        try {
          return await restoreBackup({ db, storage: openStorage(config) }, cliActor(), path.resolve(backupPath), { keyAreas: (opts.keysFrom ?? []).map((k) => path.resolve(k)), onProgress: progress.on });
        } finally {
          progress.stop();
        }
      });
      if (opts.json) printJson(report);
      else {
        process.stdout.write(t(lang, 'destruction.cli_backup_restored', { id: report.id, rows: report.rows, objects: report.objects, keys: report.keys.copied }) + '\n');
        for (const r of report.redestroyed) process.stdout.write(t(lang, 'destruction.cli_backup_redestroyed', { dossier: r.dossierId, date: r.destroyedAt.slice(0, 10) }) + '\n');
      }
    });
}
