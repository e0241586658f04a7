// The internal inventory (App. 32) as PDF/A-1b pages in Kazakh and Russian.
import type { InternalInventory } from '../../validators/schemas/types';
import { countInWords } from './words';

const LABELS = {
  kk: {
    heading: (index: string) => `№ ${index} электрондық істің ішкі тізімдемесі`,
    number: '№',
    date: 'Құжат күні',
    title: 'Құжаттың атауы',
    files: 'Объектілер саны',
    bytes: 'Көлемі (байт)',
    cc: 'Бақылау сипаттамасы',
    note: 'Ескертпе',
    totals: (docs: number, files: number, bytes: number) =>
      `Барлығы: ${docs} (${countInWords(docs, 'kk')}) құжат, ${files} (${countInWords(files, 'kk')}) объект, ${bytes} байт.`,
    compiler: 'Құрастырған',
  },
  ru: {
    heading: (index: string) => `Внутренняя опись электронного дела № ${index}`,
    number: '№',
    date: 'Дата документа',
    title: 'Заголовок документа',
    files: 'Количество объектов',
    bytes: 'Объём (байт)',
    cc: 'Контрольная характеристика',
    note: 'Примечание',
    totals: (docs: number, files: number, bytes: number) =>
      `Итого: ${docs} (${countInWords(docs, 'ru')}) документов, ${files} (${countInWords(files, 'ru')}) объектов, ${bytes} байт.`,
    compiler: 'Составитель',
  },
} as const;

export function inventoryBlocks(inventory: InternalInventory, language: 'kk' | 'ru'): unknown[] {
  const l = LABELS[language];
  return [
    { kind: 'heading', text: l.heading(inventory.dossier.index), level: 1, align: 'center' },
    { kind: 'paragraph', text: inventory.dossier.title, align: 'center' },
    { kind: 'spacer', height: 8 },
    {
      kind: 'table',
      columns: [
        { title: l.number, width: 22, align: 'right' },
        { title: l.date, width: 62 },
        { title: l.title, width: 150 },
        { title: l.files, width: 48, align: 'right' },
        { title: l.bytes, width: 58, align: 'right' },
        { title: l.cc, width: 110 },
        { title: l.note, width: 46 },
      ],
      // The characteristic is split so it wraps inside its column and stays readable.
      rows: inventory.rows.map((r) => [String(r.number), r.date ?? '—', r.title, String(r.files), String(r.bytes), r.controlCharacteristic.replace(/(.{16})/g, '$1 ').trim(), r.note ?? '']),
    },
    { kind: 'paragraph', text: l.totals(inventory.totals.documents, inventory.totals.files, inventory.totals.bytes) },
    { kind: 'spacer', height: 16 },
    { kind: 'signatures', lines: [{ role: `${l.compiler}: ${inventory.compiledBy.position}`, name: `${inventory.compiledBy.name}   ${inventory.compiledAt}` }] },
  ];
}
