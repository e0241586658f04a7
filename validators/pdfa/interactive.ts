// ISO 19005-1 6.5 (annotations), 6.6 (actions) and 6.9 (interactive forms).
import { CosDict, type CosObject } from './cos';
import type { PdfDocument } from './document';
import type { Findings } from './findings';

const ANNOTS = new Set([
  'Text', 'Link', 'FreeText', 'Line', 'Square', 'Circle', 'Highlight', 'Underline', 'Squiggly', 'StrikeOut',
  'Stamp', 'Ink', 'Popup', 'Widget', 'PrinterMark', 'TrapNet',
]);
const ACTIONS = new Set(['GoTo', 'GoToR', 'Thread', 'URI', 'Named', 'SubmitForm']);
const NAMED = new Set(['NextPage', 'PrevPage', 'FirstPage', 'LastPage']);

export function checkInteractive(doc: PdfDocument, out: Findings, outputCS: string | null): void {
  const catalog = doc.catalog;
  if (!catalog) return;
  const seenActions = new Set<CosDict>();
  const action = (a: CosObject | undefined, where: string) => checkAction(doc, out, a, where, seenActions, 0);

  if (catalog.has('AA')) out.fail('6-6-2-t03', 'catalog');
  action(catalog.get('OpenAction'), 'catalog OpenAction');

  // Annotations on every page.
  let pageNo = 0;
  for (const page of pages(doc)) {
    pageNo++;
    for (const v of doc.dict(page.get('AA'))?.map.values() ?? []) action(v, `page ${pageNo} AA`);
    const annots = doc.array(page.get('Annots')) ?? [];
    for (let i = 0; i < annots.length && i < 100000; i++) {
      const a = doc.dict(annots[i]);
      if (!a) continue;
      const where = `page ${pageNo} annotation ${i + 1}`;
      const subtype = doc.name(a.get('Subtype')) ?? '';
      if (!ANNOTS.has(subtype)) out.fail('6-5-2-t01', where, subtype);
      const ca = doc.num(a.get('CA'));
      if (a.has('CA') && ca !== 1) out.fail('6-5-3-t01', where);
      const f = doc.num(a.get('F'));
      // ISO 19005-1 6.5.3 makes no exception for Popup annotations (PDF/A-2 introduced one):
      // every annotation has F with Print set and Hidden, Invisible and NoView clear.
      if (f === undefined || (f & 4) !== 4 || (f & 1) !== 0 || (f & 2) !== 0 || (f & 32) !== 0) out.fail('6-5-3-t02', where);
      if ((a.has('C') || a.has('IC')) && outputCS !== 'RGB ') out.fail('6-5-3-t03', where);
      const ap = doc.dict(a.get('AP'));
      if (ap) {
        const keys = [...ap.map.keys()];
        const n = doc.resolve(ap.get('N'));
        const ft = fieldType(doc, a);
        // 6.5.3: a Btn widget's N is an appearance subdictionary (one stream per state), every
        // other annotation's N an appearance stream.
        const btn = subtype === 'Widget' && ft === 'Btn';
        const isStream = typeof n === 'object' && n !== null && 'data' in n;
        const nOk = n !== undefined && (btn ? n instanceof CosDict : isStream);
        if (keys.some((k) => k !== 'N') || !nOk) out.fail('6-5-3-t04', where);
      }
      if (subtype === 'Widget') {
        const rect = (doc.array(a.get('Rect')) ?? []).map((x) => doc.num(x) ?? 0);
        const visible = rect.length === 4 && Math.abs(rect[2]! - rect[0]!) > 0 && Math.abs(rect[3]! - rect[1]!) > 0;
        if (!a.has('AP') && visible) out.fail('6-9-t04', where);
        if (a.has('A')) out.fail('6-6-1-t03', where);
        if (a.has('AA')) out.fail('6-6-2-t01', where);
      } else {
        action(a.get('A'), where);
        for (const v of doc.dict(a.get('AA'))?.map.values() ?? []) action(v, `${where} AA`);
      }
    }
  }

  // Outline item actions.
  const outlines = doc.dict(catalog.get('Outlines'));
  const stack: CosDict[] = [];
  const first = doc.dict(outlines?.get('First'));
  if (first) stack.push(first);
  const seen = new Set<CosDict>();
  while (stack.length > 0 && seen.size < 100000) {
    const item = stack.pop()!;
    if (seen.has(item)) continue;
    seen.add(item);
    action(item.get('A'), 'outline');
    const next = doc.dict(item.get('Next'));
    const child = doc.dict(item.get('First'));
    if (next) stack.push(next);
    if (child) stack.push(child);
  }

  // Interactive form.
  const form = doc.dict(catalog.get('AcroForm'));
  if (form) {
    if (doc.resolve(form.get('NeedAppearances')) === true) out.fail('6-9-t01', 'AcroForm');
    const fields = [...(doc.array(form.get('Fields')) ?? [])];
    const seenFields = new Set<CosDict>();
    while (fields.length > 0 && seenFields.size < 100000) {
      const fd = doc.dict(fields.pop());
      if (!fd || seenFields.has(fd)) continue;
      seenFields.add(fd);
      if (fd.has('AA')) out.fail('6-6-2-t02', 'form field');
      fields.push(...(doc.array(fd.get('Kids')) ?? []));
    }
  }
}

function fieldType(doc: PdfDocument, a: CosDict): string | undefined {
  let cur: CosDict | undefined = a;
  for (let i = 0; cur && i < 32; i++) {
    const ft = doc.name(cur.get('FT'));
    if (ft) return ft;
    cur = doc.dict(cur.get('Parent'));
  }
  return undefined;
}

function checkAction(doc: PdfDocument, out: Findings, a: CosObject | undefined, where: string, seen: Set<CosDict>, depth: number): void {
  const d = doc.dict(a);
  if (!d || seen.has(d) || depth > 32) return;
  seen.add(d);
  const s = doc.name(d.get('S'));
  if (s === undefined && !d.has('S')) return; // a destination, not an action
  if (!ACTIONS.has(s ?? '')) out.fail('6-6-1-t01', where, s);
  if (s === 'Named' && !NAMED.has(doc.name(d.get('N')) ?? '')) out.fail('6-6-1-t02', where, doc.name(d.get('N')));
  const next = doc.resolve(d.get('Next'));
  if (Array.isArray(next)) for (const n of next) checkAction(doc, out, n, where, seen, depth + 1);
  else if (next !== undefined) checkAction(doc, out, next, where, seen, depth + 1);
}

/** Page dictionaries in document order (bounded, cycle-safe). */
export function* pages(doc: PdfDocument): Generator<CosDict> {
  const root = doc.dict(doc.catalog?.get('Pages'));
  if (!root) return;
  const stack: { node: CosDict; depth: number }[] = [{ node: root, depth: 0 }];
  const seen = new Set<CosDict>();
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (seen.has(node) || depth > 64) continue;
    seen.add(node);
    const kids = doc.array(node.get('Kids'));
    if (kids && doc.name(node.get('Type')) !== 'Page') {
      for (let i = kids.length - 1; i >= 0; i--) {
        const k = doc.dict(kids[i]);
        if (k) stack.push({ node: k, depth: depth + 1 });
      }
    } else yield node;
  }
}
