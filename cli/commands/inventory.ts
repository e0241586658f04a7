// `muragat inventory build|list|show|details|discard|approve|export`: inventories of e-dossiers
// (App. 30) from the command line. build compiles a draft from the accepted dossiers of one
// department, year and category (up to 10 years is refused, p.194); approve takes the head of
// the department's detached CMS over `export --format statement` and gives permanent dossiers
// their archival ciphers (p.181); export writes the form model (json), the rows (csv), the
// stored PDF/A (pdf) or the statement to sign.
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { t, type Language } from '../../common/i18n';
import { loadConfig } from '../../common/config';
import { openStorage } from '../../storage';
import { verifySignature } from '../../validators/signature';
import { numberInWords, nounFor } from '../../forms/words';
import { renderForm } from '../../forms/render';
import { INVENTORY_CATEGORIES, createInventoriesService, type InventoryView } from '../../catalog/inventories';
import { inventoryRenditionRenderer, loadInventoryForm, openInventoryRendition } from '../../catalog/inventories/form';
import { cipherText } from '../../catalog/inventories/cipher';
import { cliActor, withCatalog } from '../database';
import { CliExit, EXIT, cliLanguage, printJson, printList, printResult } from '../output';

const FORMATS = ['json', 'csv', 'pdf', 'statement'] as const;
type Format = (typeof FORMATS)[number];

function service(db: Parameters<typeof createInventoriesService>[0]['db']) {
  const config = loadConfig();
  const storage = openStorage(config);
  return {
    storage,
    inventories: createInventoriesService({ db, storage, trustDir: config.trustDir, verifySignature: (input) => verifySignature(input), renderRenditions: inventoryRenditionRenderer(storage) }),
  };
}

function parseYear(value: string | undefined, lang: Language): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}$/.test(value.trim())) throw new CliExit(EXIT.usage, t(lang, 'inventories.invalid_year', { value }));
  return Number(value);
}

function parseCategory(value: string | undefined, lang: Language): (typeof INVENTORY_CATEGORIES)[number] | undefined {
  if (value === undefined) return undefined;
  if (!(INVENTORY_CATEGORIES as readonly string[]).includes(value)) {
    throw new CliExit(EXIT.usage, t(lang, 'inventories.invalid_category', { value, allowed: INVENTORY_CATEGORIES.join(', ') }));
  }
  return value as (typeof INVENTORY_CATEGORIES)[number];
}

/** A person given by two options: both or neither. */
function personOf(name: string | undefined, position: string | undefined, field: string, lang: Language, date?: string) {
  if (name === undefined && position === undefined) return undefined;
  if (!name || !position) throw new CliExit(EXIT.usage, t(lang, 'inventories.cli_person_incomplete', { field }));
  return { name, position, ...(date ? { date } : {}) };
}

function protocolOf(number: string | undefined, date: string | undefined, lang: Language) {
  if (number === undefined && date === undefined) return undefined;
  if (!number || !date) throw new CliExit(EXIT.usage, t(lang, 'inventories.cli_person_incomplete', { field: 'commission' }));
  return { number, date };
}

function categoryText(lang: Language, category: string): string {
  return t(lang, `inventories.category_${category}`);
}

/** "Included 3 (three) e-dossiers, from № 1 to № 3." */
function includedLine(lang: Language, v: InventoryView): string {
  const count = v.rows.length;
  const formLang = lang === 'en' ? null : lang;
  return t(lang, 'inventories.included', {
    count,
    words: formLang ? numberInWords(count, formLang, 'neuter') : String(count),
    noun: formLang ? nounFor(count, formLang, 'eDossier') : '',
    first: v.firstNumber ?? '—',
    last: v.lastNumber ?? '—',
  });
}

function describe(lang: Language, v: InventoryView): string {
  const lines = [
    t(lang, 'inventories.cli_header', { fonds: v.fonds, number: v.number, department: v.department.code, year: v.year, category: categoryText(lang, v.category), status: t(lang, `inventories.status_${v.status}`) }),
    t(lang, 'inventories.cli_compiler', { position: v.compiler.position, name: v.compiler.name }),
    v.commission ? t(lang, 'inventories.cli_commission', { number: v.commission.number, date: v.commission.date }) : t(lang, 'inventories.cli_no_commission'),
  ];
  for (const r of v.rows) {
    lines.push(
      t(lang, 'inventories.cli_row', {
        sequence: r.sequence,
        index: r.index,
        title: r.title,
        from: r.startDate ?? '—',
        to: r.endDate ?? '—',
        documents: r.documentCount,
        bytes: r.sizeBytes,
        cipher: r.archivalCipher ? cipherText(lang, r.archivalCipher) : '—',
      }),
    );
  }
  lines.push(includedLine(lang, v));
  if (v.approval) lines.push(t(lang, 'inventories.cli_approved_by', { name: String(v.approval.signer.fullName ?? ''), user: String(v.approval.signer.username ?? ''), at: v.approvedAt ?? '' }));
  return lines.join('\n');
}

export function register(program: Command): void {
  const lang = cliLanguage();
  const inventory = program.command('inventory').description(t(lang, 'inventories.cli_description'));

  inventory
    .command('build')
    .description(t(lang, 'inventories.cli_build_description'))
    .requiredOption('--department <code>', t(lang, 'inventories.cli_opt_department'))
    .requiredOption('--year <year>', t(lang, 'inventories.cli_opt_year'))
    .requiredOption('--category <category>', t(lang, 'inventories.cli_opt_category'))
    .requiredOption('--compiler-name <name>', t(lang, 'inventories.cli_opt_compiler_name'))
    .requiredOption('--compiler-position <position>', t(lang, 'inventories.cli_opt_compiler_position'))
    .option('--protocol-number <number>', t(lang, 'inventories.cli_opt_protocol_number'))
    .option('--protocol-date <date>', t(lang, 'inventories.cli_opt_protocol_date'))
    .option('--json', t(lang, 'inventories.cli_opt_json'))
    .action(async (opts: { department: string; year: string; category: string; compilerName: string; compilerPosition: string; protocolNumber?: string; protocolDate?: string; json?: boolean }) => {
      const year = parseYear(opts.year, lang)!;
      const built = await withCatalog(({ db }) =>
        service(db).inventories.build(cliActor(), {
          department: opts.department,
          year,
          // up_to_10 reaches the service, which says why it is refused (p.194).
          category: opts.category,
          compiler: { name: opts.compilerName, position: opts.compilerPosition },
          commission: protocolOf(opts.protocolNumber, opts.protocolDate, lang) ?? null,
        }),
      );
      printResult(built, opts.json, (b) => t(lang, 'inventories.cli_built', { number: b.number, id: b.id, count: b.rows.length, department: b.department.code, year: b.year, category: categoryText(lang, b.category) }));
    });

  inventory
    .command('list')
    .description(t(lang, 'inventories.cli_list_description'))
    .option('--department <code>', t(lang, 'inventories.cli_opt_department'))
    .option('--year <year>', t(lang, 'inventories.cli_opt_year'))
    .option('--category <category>', t(lang, 'inventories.cli_opt_category'))
    .option('--json', t(lang, 'inventories.cli_opt_json'))
    .action(async (opts: { department?: string; year?: string; category?: string; json?: boolean }) => {
      const list = await withCatalog(({ db }) =>
        service(db).inventories.list({ department: opts.department, year: parseYear(opts.year, lang), category: parseCategory(opts.category, lang) }),
      );
      printList(
        list,
        opts.json,
        (i) => t(lang, 'inventories.cli_line', { number: i.number, id: i.id, department: i.department.code, year: i.year, category: categoryText(lang, i.category), status: t(lang, `inventories.status_${i.status}`), count: i.dossierCount }),
        t(lang, 'inventories.cli_none'),
      );
    });

  inventory
    .command('show')
    .description(t(lang, 'inventories.cli_show_description'))
    .argument('<inventory>', t(lang, 'inventories.cli_arg_inventory'))
    .option('--json', t(lang, 'inventories.cli_opt_json'))
    .action(async (id: string, opts: { json?: boolean }) => {
      const v = await withCatalog(({ db }) => service(db).inventories.get(id));
      printResult(v, opts.json, (v) => describe(lang, v));
    });

  inventory
    .command('details')
    .description(t(lang, 'inventories.cli_details_description'))
    .argument('<inventory>', t(lang, 'inventories.cli_arg_inventory'))
    .option('--protocol-number <number>', t(lang, 'inventories.cli_opt_protocol_number'))
    .option('--protocol-date <date>', t(lang, 'inventories.cli_opt_protocol_date'))
    .option('--handed-over-name <name>', t(lang, 'inventories.cli_opt_handed_over_name'))
    .option('--handed-over-position <position>', t(lang, 'inventories.cli_opt_handed_over_position'))
    .option('--accepted-by-name <name>', t(lang, 'inventories.cli_opt_accepted_by_name'))
    .option('--accepted-by-position <position>', t(lang, 'inventories.cli_opt_accepted_by_position'))
    .option('--json', t(lang, 'inventories.cli_opt_json'))
    .action(async (id: string, opts: { protocolNumber?: string; protocolDate?: string; handedOverName?: string; handedOverPosition?: string; acceptedByName?: string; acceptedByPosition?: string; json?: boolean }) => {
      const v = await withCatalog(({ db }) =>
        service(db).inventories.update(cliActor(), id, {
          commission: protocolOf(opts.protocolNumber, opts.protocolDate, lang),
          handedOver: personOf(opts.handedOverName, opts.handedOverPosition, 'handedOver', lang),
          acceptedBy: personOf(opts.acceptedByName, opts.acceptedByPosition, 'acceptedBy', lang),
        }),
      );
      printResult(v, opts.json, (v) => describe(lang, v));
    });

  inventory
    .command('discard')
    .description(t(lang, 'inventories.cli_discard_description'))
    .argument('<inventory>', t(lang, 'inventories.cli_arg_inventory'))
    .requiredOption('--reason <text>', t(lang, 'inventories.cli_opt_reason'))
    .option('--json', t(lang, 'inventories.cli_opt_json'))
    .action(async (id: string, opts: { reason: string; json?: boolean }) => {
      const v = await withCatalog(({ db }) => service(db).inventories.discard(cliActor(), id, opts.reason));
      printResult(v, opts.json, (v) => t(lang, 'inventories.cli_discarded', { number: v.number }));
    });

  inventory
    .command('approve')
    .description(t(lang, 'inventories.cli_approve_description'))
    .argument('<inventory>', t(lang, 'inventories.cli_arg_inventory'))
    .requiredOption('--cms <file>', t(lang, 'inventories.cli_opt_cms'))
    .option('--json', t(lang, 'inventories.cli_opt_json'))
    .action(async (id: string, opts: { cms: string; json?: boolean }) => {
      let cms: Uint8Array;
      try {
        cms = new Uint8Array(await readFile(opts.cms));
      } catch (error) {
        throw new CliExit(EXIT.usage, t(lang, 'inventories.cli_file_unreadable', { file: opts.cms, reason: (error as NodeJS.ErrnoException).code ?? String(error) }));
      }
      // The local operator has no account: the signer is the user the certificate is bound to.
      const v = await withCatalog(({ db }) => service(db).inventories.approve(cliActor(), id, cms));
      if (opts.json) printJson(v);
      else {
        const ciphers = v.rows.filter((r) => r.archivalCipher).length;
        process.stdout.write(t(lang, 'inventories.cli_approved', { number: v.number, name: String(v.approval?.signer.fullName ?? ''), ciphers }) + '\n');
      }
    });

  inventory
    .command('export')
    .description(t(lang, 'inventories.cli_export_description'))
    .argument('<inventory>', t(lang, 'inventories.cli_arg_inventory'))
    .option('--format <format>', t(lang, 'inventories.cli_opt_format'), 'json')
    .option('--lang <lang>', t(lang, 'inventories.cli_opt_lang'), 'kk')
    .option('--out <file>', t(lang, 'inventories.cli_opt_out'))
    .action(async (id: string, opts: { format: string; lang: string; out?: string }) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) throw new CliExit(EXIT.usage, t(lang, 'inventories.cli_invalid_format', { value: opts.format, allowed: FORMATS.join(', ') }));
      if (opts.lang !== 'kk' && opts.lang !== 'ru') throw new CliExit(EXIT.usage, t(lang, 'inventories.cli_invalid_lang', { value: opts.lang }));
      const format = opts.format as Format;
      const formLang = opts.lang;
      const bytes = await withCatalog(async ({ db }) => {
        const { inventories, storage } = service(db);
        const v = await inventories.get(id);
        if (format === 'statement') return v.status === 'approved' ? await inventories.approvedStatement(v.id) : (await inventories.signingContent(v.id)).bytes;
        if (format === 'pdf') return (await openInventoryRendition(db, storage, v.id, formLang)).bytes;
        // The form's own JSON and CSV (forms/render): the official headings in the form's language.
        return Buffer.from((await renderForm(await loadInventoryForm(db, v.id), formLang, format)).bytes);
      });
      if (!opts.out) {
        process.stdout.write(bytes);
        return;
      }
      await writeFile(opts.out, bytes);
      process.stderr.write(t(lang, 'inventories.cli_exported', { file: opts.out, bytes: bytes.length }) + '\n');
    });
}
