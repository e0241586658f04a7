// The protocol of an expert commission meeting (p.31, p.48) as PDF/A-1b in Kazakh and Russian,
// laid out by the forms engine (forms/layout.ts): number and date, place, the members in office
// and those present, the agenda, for each question what was heard, the votes of each member and
// the decision, the dissents attached (a member who signs with a reservation, p.48), then the
// signers — every member present — in alphabetical order of their names, each with their
// commission role, the reservation shown beside the name. The texts are the protocol's own
// wording (no appendix of the Rules prescribes its form), kept here in both languages.
import type { Kysely } from 'kysely';
import type { Database } from '../database/database';
import { renderFormPdf, type Block, type StackItem } from '../forms/layout';
import { pageLabel, titleItems } from '../forms/blocks';
import { formatDate } from '../forms/text';
import { getMeeting, getSettings, type AgendaItemView, type MeetingView, type MemberView } from './commission.service';
import type { AgendaItemKind, CommissionRole, ItemOutcome, VoteChoice } from './tables';

export type ProtocolLanguage = 'kk' | 'ru';

/** Everything the protocol prints; plain data, so tests can render one without a database. */
export interface ProtocolModel {
  organisation: { kk: string; ru: string } | null;
  commission: { kk: string; ru: string };
  number: string;
  date: string;
  place: string;
  inOffice: number;
  present: { name: string; role: CommissionRole; position: string | null }[];
  items: {
    position: number;
    kind: AgendaItemKind;
    title: string;
    outcome: ItemOutcome | null;
    tally: { for: number; against: number; abstain: number } | null;
    votes: { name: string; role: CommissionRole; vote: VoteChoice; reservation: boolean; dissent: string | null }[];
  }[];
}

export const PROTOCOL_TEXT = {
  ru: {
    title: 'ПРОТОКОЛ',
    of: 'заседания экспертной комиссии',
    number: (n: string) => `№ ${n}`,
    date: 'Дата',
    place: 'Место проведения',
    present: 'Присутствовали',
    counts: (inOffice: number, present: number) => `Членов комиссии: ${inOffice}; присутствовали: ${present}.`,
    agenda: 'ПОВЕСТКА ДНЯ',
    heard: 'СЛУШАЛИ',
    voted: (t: { for: number; against: number; abstain: number }) => `Голосовали: «за» — ${t.for}, «против» — ${t.against}, «воздержались» — ${t.abstain}.`,
    decided: 'ПОСТАНОВИЛИ',
    outcome: { adopted: 'Решение принято.', rejected: 'Решение не принято.', no_quorum: 'Кворума нет, вопрос не решён.' } as Record<ItemOutcome, string>,
    open: 'Голосование не закрыто.',
    votesHeadings: ['№', 'Член комиссии', 'Роль в комиссии', 'Голос', 'Оговорка'],
    vote: { for: 'за', against: 'против', abstain: 'воздержался' } as Record<VoteChoice, string>,
    reservation: 'с оговоркой',
    dissents: 'ОСОБЫЕ МНЕНИЯ',
    dissentOf: (name: string, item: number) => `${name} (вопрос ${item}):`,
    signatures: 'Подписи',
    role: { chair: 'Председатель комиссии', secretary: 'Секретарь комиссии', member: 'Член комиссии' } as Record<CommissionRole, string>,
    kind: {
      nomenclature_approval: 'Согласование номенклатуры дел',
      inventory_approval: 'Согласование описи дел',
      destruction_act_approval: 'Согласование акта о выделении к уничтожению документов',
      move_to_permanent: 'Перевод дел на постоянное хранение',
      extend_retention: 'Продление срока хранения',
    } as Record<AgendaItemKind, string>,
    personalSignature: '(личная подпись)',
  },
  kk: {
    title: 'ХАТТАМА',
    of: 'сараптау комиссиясы отырысының',
    number: (n: string) => `№ ${n}`,
    date: 'Күні',
    place: 'Өткізілген орны',
    present: 'Қатысқандар',
    counts: (inOffice: number, present: number) => `Комиссия мүшелерінің саны: ${inOffice}; қатысқаны: ${present}.`,
    agenda: 'КҮН ТӘРТІБІ',
    heard: 'ТЫҢДАЛДЫ',
    voted: (t: { for: number; against: number; abstain: number }) => `Дауыс берді: «жақтап» — ${t.for}, «қарсы» — ${t.against}, «қалыс қалды» — ${t.abstain}.`,
    decided: 'ҚАУЛЫ ЕТТІ',
    outcome: { adopted: 'Шешім қабылданды.', rejected: 'Шешім қабылданбады.', no_quorum: 'Кворум жоқ, мәселе шешілмеді.' } as Record<ItemOutcome, string>,
    open: 'Дауыс беру жабылмаған.',
    votesHeadings: ['№', 'Комиссия мүшесі', 'Комиссиядағы рөлі', 'Дауысы', 'Ескертпе'],
    vote: { for: 'жақтап', against: 'қарсы', abstain: 'қалыс қалды' } as Record<VoteChoice, string>,
    reservation: 'ескертпемен',
    dissents: 'ЕРЕКШЕ ПІКІРЛЕР',
    dissentOf: (name: string, item: number) => `${name} (${item}-мәселе):`,
    signatures: 'Қолдар',
    role: { chair: 'Комиссия төрағасы', secretary: 'Комиссия хатшысы', member: 'Комиссия мүшесі' } as Record<CommissionRole, string>,
    kind: {
      nomenclature_approval: 'Істер номенклатурасын келісу',
      inventory_approval: 'Істер тізімдемесін келісу',
      destruction_act_approval: 'Құжаттарды жоюға бөлу туралы актіні келісу',
      move_to_permanent: 'Істерді тұрақты сақтауға ауыстыру',
      extend_retention: 'Сақтау мерзімін ұзарту',
    } as Record<AgendaItemKind, string>,
    personalSignature: '(өз қолы)',
  },
} as const;

/** The signers as the protocol lists them: alphabetical by name in the protocol's language (p.48). */
export function signersInOrder(model: ProtocolModel, lang: ProtocolLanguage): ProtocolModel['present'] {
  const collator = new Intl.Collator(lang === 'kk' ? 'kk' : 'ru', { sensitivity: 'base' });
  return [...model.present].sort((a, b) => collator.compare(a.name, b.name));
}

export function protocolTitle(model: Pick<ProtocolModel, 'number' | 'date'>, lang: ProtocolLanguage): string {
  return lang === 'kk'
    ? `Сараптау комиссиясы отырысының хаттамасы № ${model.number}, ${formatDate(model.date)}`
    : `Протокол заседания экспертной комиссии № ${model.number} от ${formatDate(model.date)}`;
}

const text = (t: string, extra: Partial<Extract<StackItem, { kind: 'text' }>> = {}): StackItem => ({ kind: 'text', text: t, size: 11, ...extra });

/** The document to lay out. */
export function protocolDocument(model: ProtocolModel, lang: ProtocolLanguage): Block[] {
  const T = PROTOCOL_TEXT[lang];
  const blocks: Block[] = [];
  const head: StackItem[] = [];
  if (model.organisation) head.push(text(model.organisation[lang] || model.organisation.kk || model.organisation.ru, { align: 'center', bold: true }));
  // The commission's own name (as its settings keep it) under the organisation, then the title.
  head.push(text(model.commission[lang], { align: 'center' }));
  head.push({ kind: 'space', height: 4 });
  head.push(...titleItems([T.title, T.of, T.number(model.number)], 13));
  head.push({ kind: 'space', height: 6 });
  head.push(text(`${T.date}: ${formatDate(model.date)}`));
  head.push(text(`${T.place}: ${model.place}`));
  blocks.push({ kind: 'stack', items: head, keepTogether: true }, { kind: 'space', height: 8 });

  // Who was there: chair and secretary first, then members, as protocols list the presence.
  const order: Record<CommissionRole, number> = { chair: 0, secretary: 1, member: 2 };
  const present = [...model.present].sort((a, b) => order[a.role] - order[b.role] || a.name.localeCompare(b.name, lang));
  blocks.push({
    kind: 'stack',
    items: [text(`${T.present}:`, { bold: true }), ...present.map((p) => text(`${T.role[p.role]} — ${p.name}`)), text(T.counts(model.inOffice, model.present.length), { spaceBefore: 2 })],
  });
  blocks.push({ kind: 'space', height: 8 });
  blocks.push({
    kind: 'stack',
    items: [text(`${T.agenda}:`, { bold: true, align: 'center' }), ...model.items.map((i) => text(`${i.position}. ${T.kind[i.kind]}: ${i.title}`))],
  });

  for (const item of model.items) {
    blocks.push({ kind: 'space', height: 8 });
    blocks.push({ kind: 'stack', keepWithNext: true, items: [text(`${item.position}. ${T.heard}:`, { bold: true }), text(`${T.kind[item.kind]}: ${item.title}`)] });
    if (item.votes.length) {
      blocks.push({
        kind: 'table',
        keepWithNext: true,
        table: {
          columns: [{ width: 0.07, align: 'center' }, { width: 0.38 }, { width: 0.25 }, { width: 0.14 }, { width: 0.16 }],
          header: [T.votesHeadings.map((h) => ({ text: h }))],
          rows: item.votes.map((v, i) => ({ kind: 'cells' as const, cells: [String(i + 1), v.name, T.role[v.role], T.vote[v.vote], v.reservation ? T.reservation : ''] })),
          size: 10,
          headerSize: 10,
        },
      });
    }
    blocks.push({
      kind: 'stack',
      keepTogether: true,
      items: [
        ...(item.tally ? [text(T.voted(item.tally), { spaceBefore: 3 })] : []),
        text(`${T.decided}:`, { bold: true, spaceBefore: 3 }),
        text(item.outcome ? T.outcome[item.outcome] : T.open),
      ],
    });
  }

  const dissents = model.items.flatMap((i) => i.votes.filter((v) => v.dissent).map((v) => ({ item: i.position, name: v.name, dissent: v.dissent!, reservation: v.reservation })));
  if (dissents.length) {
    blocks.push({ kind: 'space', height: 10 });
    blocks.push({ kind: 'stack', keepWithNext: true, items: [text(`${T.dissents}:`, { bold: true, align: 'center' })] });
    for (const d of dissents) {
      blocks.push({ kind: 'stack', items: [text(`${T.dissentOf(d.name, d.item)}${d.reservation ? ` (${T.reservation})` : ''}`, { bold: true, spaceBefore: 3 }), text(d.dissent)] });
    }
  }

  // Signers: alphabetical by name with their commission role (p.31, p.48); a member who voted
  // with a reservation on any question signs «с оговоркой».
  const withReservation = new Set(model.items.flatMap((i) => i.votes.filter((v) => v.reservation).map((v) => v.name)));
  blocks.push({ kind: 'space', height: 12 });
  blocks.push({ kind: 'stack', keepWithNext: true, items: [text(`${T.signatures}:`, { bold: true })] });
  for (const signer of signersInOrder(model, lang)) {
    blocks.push({
      kind: 'columns',
      gap: 10,
      columns: [
        { width: 0.36, items: [{ kind: 'rule', value: T.role[signer.role], size: 10, align: 'left' }] },
        { width: 0.24, items: [{ kind: 'rule', value: '', caption: T.personalSignature, size: 10 }] },
        { width: 0.4, items: [{ kind: 'rule', value: withReservation.has(signer.name) ? `${signer.name} (${T.reservation})` : signer.name, size: 10, align: 'left' }] },
      ],
    });
    blocks.push({ kind: 'space', height: 6 });
  }
  return blocks;
}

/** Renders the protocol as PDF/A-1b in one language. */
export async function renderProtocolPdf(model: ProtocolModel, lang: ProtocolLanguage, options: { date?: Date; author?: string } = {}): Promise<{ bytes: Uint8Array; title: string }> {
  const title = protocolTitle(model, lang);
  const bytes = await renderFormPdf({
    orientation: 'portrait',
    blocks: protocolDocument(model, lang),
    title,
    language: lang,
    author: options.author,
    date: options.date,
    subject: lang === 'kk' ? 'Сараптау комиссиясының хаттамасы' : 'Протокол экспертной комиссии',
    pageLabel,
  });
  return { bytes, title };
}

function presentMembers(meeting: MeetingView): MemberView[] {
  return meeting.inOffice.filter((m) => meeting.present.includes(m.id));
}

/** The model of a meeting's protocol from the database (number and date as given when drafting). */
export async function loadProtocolModel(db: Kysely<Database>, meetingId: string, protocol: { number: string; date: string }): Promise<ProtocolModel> {
  const [meeting, settings, organisation] = await Promise.all([
    getMeeting(db, meetingId),
    getSettings(db),
    db.selectFrom('organisation').select(['name_kk', 'name_ru']).executeTakeFirst(),
  ]);
  const item = (i: AgendaItemView): ProtocolModel['items'][number] => ({
    position: i.position ?? 0,
    kind: i.kind,
    title: i.title,
    outcome: i.outcome,
    tally: i.tally ? { for: i.tally.for, against: i.tally.against, abstain: i.tally.abstain } : null,
    votes: i.votes.map((v) => ({ name: v.fullName, role: v.role, vote: v.vote, reservation: v.reservation, dissent: v.dissent })),
  });
  return {
    organisation: organisation ? { kk: organisation.name_kk, ru: organisation.name_ru } : null,
    commission: { kk: settings.nameKk, ru: settings.nameRu },
    number: protocol.number,
    date: protocol.date,
    place: meeting.place,
    inOffice: meeting.inOffice.length,
    present: presentMembers(meeting).map((m) => ({ name: m.fullName, role: m.role, position: m.position })),
    items: meeting.agenda.map(item),
  };
}
