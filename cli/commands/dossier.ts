// `muragat dossier list|show|export|sign-content|attach-signature`: stored e-dossiers.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { exportAip, findDossier, getDossier, listDossiers, attachDossierSignature, signingContent, loadTools } from '../../ingest';
import { withCatalog, cliActor } from '../database';
import { CliExit, EXIT, cliLanguage, printJson, statusText } from '../output';
import { cipherText } from '../../catalog/inventories/cipher';

function kindOf(value: string): 'inventory' | 'integrity' {
  if (value !== 'inventory' && value !== 'integrity') throw new CliExit(EXIT.usage, `muragat: ${t(cliLanguage(), 'ingest.cli_dossier_kind_usage')}`);
  return value;
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const dossier = program.command('dossier').description(t(lang, 'ingest.cli_dossier_description'));

  dossier
    .command('list')
    .description(t(lang, 'ingest.cli_dossier_list_description'))
    .option('--transfer <id>', t(lang, 'ingest.cli_dossier_list_opt_transfer'))
    .option('--json', t(lang, 'cli.opt_json'))
    .action(async (opts: { transfer?: string; json?: boolean }) => {
      const rows = await withCatalog(({ db }) => listDossiers(db, { transferId: opts.transfer, limit: 1000 }));
      if (opts.json) printJson(rows);
      else process.stdout.write(rows.map((r) => `${r.id}  ${r.index}  ${statusText(lang, r.status, 'dossier').padEnd(22)} ${r.title}`).join('\n') + (rows.length ? '\n' : ''));
    });

  dossier
    .command('show')
    .description(t(lang, 'ingest.cli_dossier_show_description'))
    .argument('<id>', t(lang, 'ingest.cli_dossier_arg_id'))
    .option('--json', t(lang, 'cli.opt_json'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const config = loadConfig();
      const d = await withCatalog(({ db }) => getDossier({ db, storage: openStorage(config) }, id));
      if (opts.json) printJson(d);
      else {
        const lines = [`${d.index}  ${d.title}  [${statusText(lang, d.status, 'dossier')}]`, t(lang, 'ingest.cli_dossier_aip_manifest', { sha256: d.aipManifestSha256 })];
        // The archival cipher (p.181), once the inventory of permanent dossiers is approved.
        const cipher = (d.metadata as { archivalCipher?: { fonds: string; inventory: string; case: number; code: string } | null }).archivalCipher;
        if (cipher) lines.push(t(lang, 'inventories.cli_dossier_cipher', { cipher: cipherText(lang, cipher), code: cipher.code }));
        for (const doc of d.documents) lines.push(`  ${String(doc.position).padStart(3)}  ${statusText(lang, doc.status).padEnd(22)} ${doc.source}  ${doc.controlCharacteristic}`);
        for (const s of d.signatures) lines.push('  ' + t(lang, 'ingest.cli_dossier_signature_line', { kind: s.kind, verdict: s.verdict, subject: (s.signer as { subject?: string }).subject ?? '' }));
        process.stdout.write(lines.join('\n') + '\n');
      }
    });

  dossier
    .command('export')
    .description(t(lang, 'ingest.cli_dossier_export_description'))
    .argument('<id>', t(lang, 'ingest.cli_dossier_arg_id'))
    .requiredOption('--out <dir>', t(lang, 'ingest.cli_dossier_export_opt_out'))
    .option('--json', t(lang, 'ingest.cli_dossier_export_opt_json'))
    .action(async (id: string, opts: { out: string; json?: boolean }) => {
      const config = loadConfig();
      const result = await withCatalog(async ({ db }) => {
        const d = await findDossier(db, id);
        await mkdir(opts.out, { recursive: true });
        return { dossier: d.id, index: d.case_index, manifest: d.aip_manifest_sha256, ...(await exportAip(openStorage(config), d.aip_manifest_sha256, opts.out)) };
      });
      if (opts.json) printJson(result);
      else process.stdout.write(t(lang, 'ingest.cli_exported', { files: result.files, bytes: result.bytes, out: opts.out }) + '\n');
    });

  dossier
    .command('sign-content')
    .description(t(lang, 'ingest.cli_dossier_sign_content_description'))
    .argument('<id>', t(lang, 'ingest.cli_dossier_arg_id'))
    .requiredOption('--kind <kind>', t(lang, 'ingest.cli_dossier_sign_content_opt_kind'))
    .requiredOption('--out <file>', t(lang, 'ingest.cli_dossier_sign_content_opt_out'))
    .action(async (id: string, opts: { kind: string; out: string }) => {
      const config = loadConfig();
      const bytes = await withCatalog(async ({ db }) => signingContent({ db, storage: openStorage(config) }, (await findDossier(db, id)).id, kindOf(opts.kind)));
      await writeFile(opts.out, bytes);
    });

  dossier
    .command('attach-signature')
    .description(t(lang, 'ingest.cli_dossier_attach_signature_description'))
    .argument('<id>', t(lang, 'ingest.cli_dossier_arg_id'))
    .requiredOption('--kind <kind>', t(lang, 'ingest.cli_dossier_attach_signature_opt_kind'))
    .requiredOption('--cms <file>', t(lang, 'ingest.cli_dossier_attach_signature_opt_cms'))
    .option('--json', t(lang, 'cli.opt_json_result'))
    .action(async (id: string, opts: { kind: string; cms: string; json?: boolean }) => {
      const config = loadConfig();
      const tools = await loadTools();
      const cms = new Uint8Array(await readFile(opts.cms));
      const result = await withCatalog(async ({ db }) =>
        attachDossierSignature({ db, storage: openStorage(config), trustDir: config.trustDir, tools }, cliActor(), { dossierId: (await findDossier(db, id)).id, kind: kindOf(opts.kind), cms }),
      );
      if (opts.json) printJson(result);
      else process.stdout.write(`${result.verdict} ${result.signer} → ${statusText(lang, result.status, 'dossier')}\n`);
    });
}
