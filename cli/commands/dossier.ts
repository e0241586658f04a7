// `muragat dossier list|show|export|sign-content|attach-signature`: stored e-dossiers.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { t } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { exportAip, findDossier, getDossier, listDossiers, attachDossierSignature, signingContent, loadTools } from '../../ingest';
import { withCatalog, cliActor } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

function kindOf(value: string): 'inventory' | 'integrity' {
  if (value !== 'inventory' && value !== 'integrity') throw new CliExit(EXIT.usage, 'muragat: --kind must be inventory or integrity');
  return value;
}

export function register(program: Command): void {
  const dossier = program.command('dossier').description('stored e-dossiers (AIPs)');

  dossier
    .command('list')
    .description('list stored e-dossiers, newest first')
    .option('--transfer <id>', 'only this transfer')
    .option('--json', 'print as JSON')
    .action(async (opts: { transfer?: string; json?: boolean }) => {
      const rows = await withCatalog(({ db }) => listDossiers(db, { transferId: opts.transfer, limit: 1000 }));
      if (opts.json) printJson(rows);
      else process.stdout.write(rows.map((r) => `${r.id}  ${r.index}  ${r.status.padEnd(18)} ${r.title}`).join('\n') + (rows.length ? '\n' : ''));
    });

  dossier
    .command('show')
    .description('one dossier: documents, chain, signatures, AIP files')
    .argument('<id>', 'dossier id or case index')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const config = loadConfig();
      const d = await withCatalog(({ db }) => getDossier({ db, storage: openStorage(config) }, id));
      if (opts.json) printJson(d);
      else {
        const lines = [`${d.index}  ${d.title}  [${d.status}]`, `AIP manifest ${d.aipManifestSha256}`];
        for (const doc of d.documents) lines.push(`  ${String(doc.position).padStart(3)}  ${doc.status.padEnd(17)} ${doc.source}  ${doc.controlCharacteristic}`);
        for (const s of d.signatures) lines.push(`  signature ${s.kind}: ${s.verdict} ${(s.signer as { subject?: string }).subject ?? ''}`);
        process.stdout.write(lines.join('\n') + '\n');
      }
    });

  dossier
    .command('export')
    .description('write the dossier\'s AIP as plain files (the report\'s rendition paths are relative to --out)')
    .argument('<id>', 'dossier id or case index')
    .requiredOption('--out <dir>', 'target folder')
    .option('--json', 'print a summary as JSON')
    .action(async (id: string, opts: { out: string; json?: boolean }) => {
      const lang = cliLanguage();
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
    .description('write the exact bytes a signature covers, to sign with your own key and software')
    .argument('<id>', 'dossier id or case index')
    .requiredOption('--kind <kind>', 'inventory (compiler) or integrity (department head)')
    .requiredOption('--out <file>', 'where to write the content')
    .action(async (id: string, opts: { kind: string; out: string }) => {
      const config = loadConfig();
      const bytes = await withCatalog(async ({ db }) => signingContent({ db, storage: openStorage(config) }, (await findDossier(db, id)).id, kindOf(opts.kind)));
      await writeFile(opts.out, bytes);
    });

  dossier
    .command('attach-signature')
    .description('attach a detached CMS signature made elsewhere; it is verified before it is stored')
    .argument('<id>', 'dossier id or case index')
    .requiredOption('--kind <kind>', 'inventory or integrity')
    .requiredOption('--cms <file>', 'DER CMS signature file')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { kind: string; cms: string; json?: boolean }) => {
      const config = loadConfig();
      const tools = await loadTools();
      const cms = new Uint8Array(await readFile(opts.cms));
      const result = await withCatalog(async ({ db }) =>
        attachDossierSignature({ db, storage: openStorage(config), trustDir: config.trustDir, tools }, cliActor(), { dossierId: (await findDossier(db, id)).id, kind: kindOf(opts.kind), cms }),
      );
      if (opts.json) printJson(result);
      else process.stdout.write(`${result.verdict} ${result.signer} → ${result.status}\n`);
    });
}
