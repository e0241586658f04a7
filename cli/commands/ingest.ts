// `muragat ingest <tar>`: receive a transfer package and store its e-dossiers.
// Exit 0 when every document was accepted, 1 when any was not (or the package was refused).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { runIngest, type IngestReport, type StepName } from '../../ingest';
import { withCatalog, cliActor } from '../database';
import { createProgress } from '../progress';
import { CliExit, EXIT, cliLanguage, printJson, statusText } from '../output';
import { buildReport } from '../../ingest/pipeline/report';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.MURAGAT_SIGN_KEY_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (process.stdin.isTTY) throw new CliExit(EXIT.usage, `muragat: ${t(cliLanguage(), 'ingest.cli_sign_key_password')}`);
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The report's problems are already in the reader's language (buildReport translates them). */
export function printReportText(report: IngestReport, lang: ReturnType<typeof cliLanguage>): void {
  const out: string[] = [t(lang, 'ingest.cli_transfer', { id: report.transfer })];
  if (report.failure) out.push(`  ✗ ${t(lang, 'ingest.cli_failure', { step: report.failure.step, message: report.failure.message })}`);
  for (const p of report.problems ?? []) out.push(`  ! ${p.message}${p.where ? ` [${p.where}]` : ''}`);
  for (const d of report.dossiers) {
    out.push(`${d.index ?? '—'}  ${d.title}${d.id ? `  (${d.id})` : ''}`);
    for (const doc of d.documents) {
      out.push(`  ${statusText(lang, doc.status).padEnd(22)} ${doc.source}${doc.rendition ? ` → ${doc.rendition}` : ''}`);
      for (const p of doc.problems) out.push(`      - ${p.message}${p.clause ? ` (${p.clause})` : ''}`);
    }
  }
  if (report.status === 'failed') out.push(t(lang, 'ingest.cli_retry_hint', { id: report.transfer }));
  else if (report.status === 'cancelled') out.push(t(lang, 'ingest.cli_cancelled', { id: report.transfer }));
  process.stdout.write(out.join('\n') + '\n');
}

/** Exit 0 only when the transfer completed with every document accepted (p.147 included). */
export function reportExitCode(report: IngestReport): number {
  const allAccepted = !report.status && !report.problems && report.dossiers.every((d) => d.documents.every((doc) => doc.status === 'accepted'));
  return allAccepted ? EXIT.ok : EXIT.checkFailed;
}

export function register(program: Command): void {
  const lang = cliLanguage();
  program
    .command('ingest')
    .description(t(lang, 'ingest.cli_description'))
    .argument('<tar>', t(lang, 'ingest.cli_arg_tar'))
    .option('--json', t(lang, 'cli.opt_json_report'))
    .option('--sign-key <p12>', t(lang, 'ingest.cli_opt_sign_key'))
    .option('--accept-invalid-signature <doc=reason>', t(lang, 'ingest.cli_opt_accept_invalid_signature'), collect, [])
    .option('--new-volume', t(lang, 'ingest.cli_opt_new_volume'))
    .action(async (tar: string, opts: { json?: boolean; signKey?: string; acceptInvalidSignature: string[]; newVolume?: boolean }) => {
      const accept: Record<string, string> = {};
      for (const item of opts.acceptInvalidSignature) {
        const eq = item.indexOf('=');
        if (eq <= 0 || !item.slice(eq + 1).trim()) throw new CliExit(EXIT.usage, t(lang, 'ingest.cli_accept_usage', { value: item }));
        accept[item.slice(0, eq)] = item.slice(eq + 1).trim();
      }
      const signer = opts.signKey ? { pkcs12: new Uint8Array(await readFile(opts.signKey)), password: await readPassword() } : undefined;
      // Test hook for crash-resume tests: die at a chosen durable point like a power cut would.
      const crashAfter = process.env.MURAGAT_TEST_CRASH_AFTER_STEP;
      const config = loadConfig();
      const report = await withCatalog(async ({ db }) => {
        const progress = createProgress({ label: t(lang, 'ingest.cli_progress'), silent: opts.json, total: 0 });
        try {
          const r = await runIngest(
            { db, storage: openStorage(config), config },
            {
              tarPath: tar,
              actor: cliActor(),
              options: { acceptInvalidSignature: accept, signer, ...(opts.newVolume ? { newVolumes: true as const } : {}) },
              onProgress: (p) => {
                progress.setTotal(p.total);
                progress.update(p.done, `${p.step}${p.item ? ` ${p.item}` : ''}`);
              },
              onBusy: (owner) => process.stderr.write(`muragat: ${t(lang, 'jobs.busy', { owner })}\n`),
              afterStep: crashAfter
                ? (step: StepName) => {
                    if (step === crashAfter) process.kill(process.pid, 'SIGKILL');
                  }
                : undefined,
            },
          );
          return lang === 'en' ? r : buildReport({ db }, r.transfer, lang);
        } finally {
          progress.stop();
        }
      });
      if (opts.json) printJson(report);
      else printReportText(report, lang);
      // A failed transfer is a report like any other: exit 1 with the reason, never a stack trace.
      if (reportExitCode(report) !== EXIT.ok) process.exitCode = EXIT.checkFailed;
    });
}
