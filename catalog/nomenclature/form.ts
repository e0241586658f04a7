// The App. 26 form's model (forms/types.ts NomenclatureForm) from the catalog: sections in the
// approved order as full-width rows, columns 1–5, the signature of the records-service head,
// the ЭК and ЭПК protocols, the organisation head's «Утверждаю», and — once the year is over or
// counts were entered — the year-end record. Knows nothing of layout (forms/ renders it).
import type { Kysely } from 'kysely';
import { NotFoundError } from '../../common/errors';
import { t } from '../../common/i18n';
import type { Database } from '../../database/database';
import type { FormPerson, FormProtocol, FormSignature, FormText, NomenclatureForm, NomenclatureRow } from '../../forms/types';
import { findOrganisation } from '../organisation.repository';
import { createNomenclatureService, type NomenclatureItemView } from './nomenclature.service';
import type { ApprovalStep, NomenclatureApproval } from './tables';

/** «Сейітова Динара Маратқызы» → «Д. М. Сейітова»; a name already with initials is kept. */
export function initialsAndSurname(fullName: string): string {
  const parts = fullName.trim().split(/\s+/).filter(Boolean);
  if (parts.length < 2 || parts.slice(1).some((p) => p.includes('.'))) return fullName.trim();
  const [surname, ...given] = parts;
  return `${given.map((g) => `${g[0]!.toUpperCase()}.`).join(' ')} ${surname}`;
}

function person(a: NomenclatureApproval | undefined): FormPerson | null {
  if (!a?.name) return null;
  return { position: a.position ?? '', name: initialsAndSurname(a.name) };
}

function signature(a: NomenclatureApproval | undefined): FormSignature {
  return { person: person(a), date: a?.date ?? null, signed: a !== undefined, signedAt: a?.at ?? null };
}

function protocol(a: NomenclatureApproval | undefined, body: FormText | null = null): FormProtocol {
  return { body, number: a?.protocolNumber ?? null, date: a?.date ?? null };
}

/** Column 5: carried over, ЭПК, electronic or paper and the medium, then the note, in each language. */
function noteOf(item: NomenclatureItemView): FormText | null {
  const parts = (lang: 'kk' | 'ru') =>
    [
      item.carriedOver ? t(lang, 'nomenclature.note_carried_over', { year: item.carriedFromYear ?? '' }) : null,
      item.epk ? t(lang, 'nomenclature.note_epk') : null,
      t(lang, `nomenclature.note_${item.documentForm}`) + (item.medium ? `, ${t(lang, 'nomenclature.note_medium', { medium: item.medium })}` : ''),
      item.note,
    ]
      .filter(Boolean)
      .join('; ');
  return { kk: parts('kk'), ru: parts('ru') };
}

export async function loadNomenclatureForm(db: Kysely<Database>, nomenclatureId: string, options: { now?: () => Date } = {}): Promise<NomenclatureForm> {
  const service = createNomenclatureService({ db, now: options.now });
  const view = await service.getById(nomenclatureId).catch((error: unknown) => {
    if (error instanceof NotFoundError) throw new NotFoundError('nomenclature.not_found', 'nomenclature.id_not_found', { id: nomenclatureId });
    throw error;
  });
  const organisation = await findOrganisation(db);
  const step = (s: ApprovalStep) => view.approvals.find((a) => a.step === s);
  const sections = new Map(view.sections.map((s) => [s.departmentCode, s]));
  const rows: NomenclatureRow[] = [];
  let current = '';
  for (const item of view.items) {
    const section = sections.get(item.departmentCode);
    const first = item.departmentCode !== current;
    current = item.departmentCode;
    rows.push({
      section: first ? { kk: `${item.departmentCode} ${section?.nameKk ?? ''}`.trim(), ru: `${item.departmentCode} ${section?.nameRu ?? ''}`.trim() } : null,
      index: item.caseIndex,
      heading: item.headingRu ? { kk: item.heading, ru: item.headingRu } : item.heading,
      dossierCount: item.dossierCount,
      retention: { kind: item.retention.kind, years: item.retention.years, article: item.retention.article },
      note: noteOf(item),
    });
  }
  const now = (options.now ?? (() => new Date()))();
  const yearOver = now.getUTCFullYear() > view.year;
  const counted = view.items.some((i) => i.dossierCount !== null);
  const summary = yearOver || counted ? await service.summary(view.year).catch(() => null) : null;
  const head = step('organisation_head');
  return {
    kind: 'nomenclature',
    id: view.id,
    organisation: { name: organisation ? { kk: organisation.name_kk, ru: organisation.name_ru } : '', fondsNumber: organisation?.fonds_number ?? null },
    year: view.year,
    documentDate: head?.date ?? null,
    approval: { organisation: organisation ? { kk: organisation.name_kk, ru: organisation.name_ru } : null, signature: signature(head) },
    rows,
    recordsHead: signature(step('records_head')),
    departmentVisas: [],
    expertCommission: protocol(step('expert_commission')),
    stateReviewCommission: view.epkRequired ? protocol(step('state_review')) : null,
    summary: summary
      ? {
          year: summary.year,
          permanent: summary.permanent,
          over10: summary.over10,
          upTo10: summary.upTo10,
          totals: summary.totals,
          recordsHead: { ...signature(step('records_head')), date: null, signed: false, signedAt: null },
          handedOverBy: null,
        }
      : null,
  };
}
