// The certificate of destruction (p.186-1): which dossiers of which act were destroyed, when,
// how and by whom, with each dossier's final control characteristics — laid out by the forms/
// engine as PDF/A-1b in Kazakh or Russian. The system's signature is over a canonical statement
// naming both renditions' digests (destruction/execute.ts), not over the PDF alone.
import { t } from '../common/i18n';
import { renderFormPdf, type Block } from '../forms/layout';
import { retentionForForm } from '../forms/retention-text';
import { countInWords } from '../forms/words';

export interface CertificateModel {
  actNumber: string;
  fondsNumber: string | null;
  executedAt: string;
  method: string;
  executor: { name: string; position: string; username: string };
  dossiers: {
    index: string;
    volume: number;
    heading: string;
    startDate: string | null;
    endDate: string | null;
    retention: unknown;
    finalControl: { lastControlCharacteristic: string | null; internalInventorySha256: string; documentCount: number | null };
  }[];
}

function retentionOf(value: unknown, lang: 'kk' | 'ru'): string {
  const r = value as { kind?: string; years?: number; article?: string } | null;
  if (!r?.kind) return '';
  return retentionForForm(r as Parameters<typeof retentionForForm>[0], lang, r.article ?? null);
}

export async function renderCertificate(model: CertificateModel, lang: 'kk' | 'ru', date: Date): Promise<Uint8Array> {
  const methodText = model.method === 'crypto-erasure' ? t(lang, 'destruction.method_crypto_erasure') : model.method;
  const blocks: Block[] = [
    {
      kind: 'stack',
      items: [
        { kind: 'text', text: t(lang, 'destruction.cert_title'), bold: true, align: 'center', size: 13 },
        { kind: 'text', text: t(lang, 'destruction.cert_act', { number: model.actNumber, fonds: model.fondsNumber ?? '—' }), align: 'center', spaceAfter: 8 },
        { kind: 'text', text: t(lang, 'destruction.cert_statement', { count: model.dossiers.length, words: countInWords(model.dossiers.length, lang), date: model.executedAt.slice(0, 10), method: methodText }), spaceAfter: 8 },
      ],
    },
    {
      kind: 'table',
      table: {
        columns: [{ width: 4, align: 'center' }, { width: 9 }, { width: 30 }, { width: 14, align: 'center' }, { width: 12 }, { width: 31 }],
        header: [[
          { text: '№' },
          { text: t(lang, 'destruction.cert_col_index') },
          { text: t(lang, 'destruction.cert_col_heading') },
          { text: t(lang, 'destruction.cert_col_dates') },
          { text: t(lang, 'destruction.cert_col_retention') },
          { text: t(lang, 'destruction.cert_col_control') },
        ]],
        numbers: [1, 2, 3, 4, 5, 6].map((n) => ({ text: String(n) })),
        rows: model.dossiers.map((d, i) => ({
          kind: 'cells' as const,
          cells: [
            String(i + 1),
            d.volume > 1 ? `${d.index} (${d.volume})` : d.index,
            d.heading,
            [d.startDate, d.endDate].filter(Boolean).join(' – '),
            retentionOf(d.retention, lang),
            t(lang, 'destruction.cert_control', { documents: d.finalControl.documentCount ?? 0, last: d.finalControl.lastControlCharacteristic ?? '—', inventory: d.finalControl.internalInventorySha256 }),
          ],
        })),
        size: 8,
        headerSize: 8,
      },
    },
    {
      kind: 'stack',
      keepTogether: true,
      items: [
        { kind: 'space', height: 10 },
        { kind: 'text', text: t(lang, 'destruction.cert_irreversible') },
        { kind: 'space', height: 10 },
        { kind: 'rule', value: `${model.executor.position} ${model.executor.name}`.trim(), caption: t(lang, 'destruction.cert_executor') },
        { kind: 'text', text: t(lang, 'destruction.cert_system_signed'), size: 8, spaceBefore: 6 },
      ],
    },
  ];
  return renderFormPdf({ orientation: 'landscape', blocks, title: t(lang, 'destruction.cert_title'), language: lang, author: 'Muragat', subject: model.actNumber, date, pageLabel: (p, n) => `${p} / ${n}` });
}
