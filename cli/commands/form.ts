// `muragat form render <kind> <id> --lang kk|ru --out <file> [--format pdf|json|csv] [--store]`:
// an official form (App. 26 nomenclature, 30 inventory, 31 schedule, 32 internal-inventory,
// 33 acceptance-act) as PDF/A-1b, JSON or CSV in Kazakh or Russian; --store also keeps it in
// the archive's store and records it (forms/store.ts) so it can be signed like any document.
// `muragat form sign <renditionId> <cms>`: attaches a detached CMS over a stored rendition.
// `muragat form renditions <kind> <id>`: the stored renditions of a form.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { t, type Language } from '../../common/i18n';
import { FORM_APPENDIX, FORM_KINDS, type FormKind, type FormLanguage } from '../../forms/types';
import { isFormFormat, isFormKind, isFormLanguage, renderForm, type FormFormat } from '../../forms/render';
import { loadForm } from '../../forms/loaders';
import { listRenditions, signRendition, storeRendition } from '../../forms/store';
import { openStorage } from '../../storage';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson } from '../output';

function formLanguage(value: string | undefined, lang: Language): FormLanguage {
  // A form is issued in Kazakh or Russian; an English-speaking operator gets the Kazakh one by default.
  const chosen = value ?? (lang === 'ru' ? 'ru' : 'kk');
  if (!isFormLanguage(chosen)) throw new CliExit(EXIT.usage, t(lang, 'forms.language_unknown', { lang: chosen }));
  return chosen;
}

function formFormat(value: string | undefined, out: string | undefined, lang: Language): FormFormat {
  const chosen = value ?? (out ? path.extname(out).slice(1).toLowerCase() || 'pdf' : 'pdf');
  if (!isFormFormat(chosen)) throw new CliExit(EXIT.usage, t(lang, 'forms.format_unknown', { format: chosen }));
  return chosen;
}

function formKind(value: string, lang: Language): FormKind {
  if (!isFormKind(value)) throw new CliExit(EXIT.usage, t(lang, 'forms.kind_unknown', { kind: value, kinds: FORM_KINDS.join(', ') }));
  return value;
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const form = program.command('form').description(t(lang, 'forms.cli_description'));

  form
    .command('render')
    .description(t(lang, 'forms.cli_render_description'))
    .argument('<kind>', t(lang, 'forms.cli_arg_kind', { kinds: FORM_KINDS.map((k) => `${k} (${FORM_APPENDIX[k]})`).join(', ') }))
    .argument('<id>', t(lang, 'forms.cli_arg_id'))
    .option('--lang <lang>', t(lang, 'forms.cli_opt_lang'))
    .option('--format <format>', t(lang, 'forms.cli_opt_format'))
    .option('--out <file>', t(lang, 'forms.cli_opt_out'))
    .option('--store', t(lang, 'forms.cli_opt_store'))
    .option('--json', t(lang, 'forms.cli_opt_json'))
    .action(async (kindArg: string, id: string, opts: { lang?: string; format?: string; out?: string; store?: boolean; json?: boolean }) => {
      const kind = formKind(kindArg, lang);
      const language = formLanguage(opts.lang, lang);
      const format = formFormat(opts.format, opts.out, lang);
      if (!opts.out && format === 'pdf' && process.stdout.isTTY) throw new CliExit(EXIT.usage, t(lang, 'forms.cli_pdf_needs_out'));
      const config = loadConfig();
      const result = await withCatalog(async ({ db }) => {
        const storage = openStorage(config);
        const model = await loadForm({ db, storage }, kind, id);
        const rendition = await renderForm(model, language, format, { author: cliActor().username });
        const stored = opts.store ? await storeRendition({ db, storage }, cliActor(), { kind, subjectId: model.id || id, rendition }) : null;
        return { rendition, stored };
      });
      const { rendition, stored } = result;
      if (opts.out) await writeFile(opts.out, rendition.bytes);
      else process.stdout.write(rendition.bytes);
      const summary = { kind, appendix: FORM_APPENDIX[kind], id, language, format, file: opts.out ?? null, bytes: rendition.bytes.length, title: rendition.title, stored: stored ? { id: stored.id, sha256: stored.sha256 } : null };
      if (opts.json) printJson(summary);
      else if (opts.out) {
        process.stderr.write(t(lang, 'forms.cli_rendered', { appendix: FORM_APPENDIX[kind], title: rendition.title, file: opts.out, bytes: rendition.bytes.length }) + '\n');
        if (stored) process.stderr.write(t(lang, 'forms.cli_stored', { id: stored.id, sha256: stored.sha256 }) + '\n');
      }
    });

  form
    .command('sign')
    .description(t(lang, 'forms.cli_sign_description'))
    .argument('<renditionId>', t(lang, 'forms.cli_arg_rendition'))
    .argument('<cms>', t(lang, 'forms.cli_arg_cms'))
    .option('--json', t(lang, 'forms.cli_opt_json'))
    .action(async (renditionId: string, cmsFile: string, opts: { json?: boolean }) => {
      let cms: Uint8Array;
      try {
        cms = new Uint8Array(await readFile(cmsFile));
      } catch (error) {
        throw new CliExit(EXIT.usage, t(lang, 'forms.cli_file_unreadable', { file: cmsFile, reason: (error as NodeJS.ErrnoException).code ?? String(error) }));
      }
      const config = loadConfig();
      const { verifySignature } = await import('../../validators/signature');
      const signed = await withCatalog(({ db }) => signRendition({ db, storage: openStorage(config), trustDir: config.trustDir, verifySignature }, cliActor(), { renditionId, cms }));
      if (opts.json) printJson(signed);
      else process.stdout.write(t(lang, 'forms.cli_signed', { id: signed.id, signer: String(signed.signature?.signer?.subject ?? '') }) + '\n');
    });

  form
    .command('renditions')
    .description(t(lang, 'forms.cli_renditions_description'))
    .argument('<kind>', t(lang, 'forms.cli_arg_kind', { kinds: FORM_KINDS.join(', ') }))
    .argument('<id>', t(lang, 'forms.cli_arg_id'))
    .option('--json', t(lang, 'forms.cli_opt_json'))
    .action(async (kindArg: string, id: string, opts: { json?: boolean }) => {
      const kind = formKind(kindArg, lang);
      const list = await withCatalog(({ db }) => listRenditions(db, kind, id));
      if (opts.json) printJson(list);
      else if (!list.length) process.stdout.write(t(lang, 'forms.cli_no_renditions') + '\n');
      else {
        const lines = list.map((r) =>
          t(lang, 'forms.cli_rendition_line', { id: r.id, language: r.language, format: r.format, at: r.createdAt.slice(0, 16).replace('T', ' '), by: r.createdBy, signed: r.signature ? 'yes' : 'no' }),
        );
        process.stdout.write(lines.join('\n') + '\n');
      }
    });
}
