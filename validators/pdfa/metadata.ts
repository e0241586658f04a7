// ISO 19005-1 6.7: the XMP metadata stream — presence, well-formedness (6.7.9), packet header
// (6.7.5), predefined-schema properties and their value types (6.7.2), extension schemas
// (6.7.8), PDF/A identification (6.7.11) and equivalence with the Info dictionary (6.7.3).
import { CosStream, CosString } from './cos';
import type { PdfDocument } from './document';
import type { Findings } from './findings';
import { parseXml, XmlError, type XmlElement } from './xml';
import { EXTENSION_NS, PREDEFINED, RDF_NS, SIMPLE_TYPES, STRUCTS, XML_NS } from './xmp-schemas';

export type XmpValue =
  | { kind: 'simple'; text: string; lang?: string }
  | { kind: 'array'; type: string; items: XmpValue[]; lang?: string }
  | { kind: 'struct'; fields: XmpProperty[]; lang?: string };

export interface XmpProperty {
  ns: string;
  prefix: string;
  local: string;
  value: XmpValue;
}

class RdfError extends Error {}

export function checkMetadata(doc: PdfDocument, out: Findings): void {
  const catalog = doc.catalog;
  const raw = catalog?.get('Metadata');
  const stream = doc.stream(raw);
  if (!stream) {
    out.fail('6-7-2-t01', 'catalog');
    checkInfoAgainst(doc, out, null);
    return;
  }
  if (stream.dict.has('Filter')) out.fail('6-7-2-t02', 'Metadata stream');
  const data = doc.decode(stream);
  if (!data) {
    out.fail('6-7-9-t01', 'Metadata stream', 'undecodable');
    return;
  }
  const props = parseXmp(data, out);
  checkInfoAgainst(doc, out, props);
  if (!props) return;
  checkProperties(props, out);
}

/** XMP may be serialised in UTF-8, UTF-16 or UTF-32 (XMP 2004, 3.3); detected by BOM or zero bytes. */
export function decodeXmpText(data: Uint8Array): string | null {
  const b0 = data[0], b1 = data[1], b2 = data[2], b3 = data[3];
  let enc: 'utf-8' | 'utf-16be' | 'utf-16le' | 'utf-32be' | 'utf-32le' = 'utf-8';
  if (b0 === 0 && b1 === 0 && (b2 !== 0 || b3 !== 0)) enc = 'utf-32be';
  else if (b0 !== 0 && b1 === 0 && b2 === 0 && b3 === 0) enc = 'utf-32le';
  else if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) enc = 'utf-32le';
  else if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0 && b1 !== 0)) enc = 'utf-16be';
  else if ((b0 === 0xff && b1 === 0xfe) || (b0 !== 0 && b1 === 0)) enc = 'utf-16le';
  try {
    if (enc === 'utf-32be' || enc === 'utf-32le') {
      let s = '';
      for (let i = 0; i + 3 < data.length; i += 4) {
        const cp = enc === 'utf-32be'
          ? ((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!) >>> 0
          : ((data[i + 3]! << 24) | (data[i + 2]! << 16) | (data[i + 1]! << 8) | data[i]!) >>> 0;
        if (cp > 0x10ffff) return null;
        s += String.fromCodePoint(cp);
      }
      return s.replace(/^\uFEFF/, '');
    }
    const even = enc === 'utf-8' ? data : data.subarray(0, data.length & ~1);
    return new TextDecoder(enc, { fatal: true }).decode(even).replace(/^\uFEFF/, '');
  } catch {
    return null;
  }
}

/** Parses the packet; reports 6.7.5 and 6.7.9 problems; null when unusable. */
export function parseXmp(data: Uint8Array, out: Findings): XmpProperty[] | null {
  const text = decodeXmpText(data);
  if (text === null) {
    out.fail('6-7-9-t01', 'Metadata stream', 'not UTF-8, UTF-16 or UTF-32');
    return null;
  }
  const header = /<\?xpacket\s+begin=([^?]*)\?>/.exec(text);
  if (header) {
    if (/\bbytes\s*=/.test(header[1]!)) out.fail('6-7-5-t01', 'xpacket header');
    if (/\bencoding\s*=/.test(header[1]!)) out.fail('6-7-5-t02', 'xpacket header');
  }
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    out.fail('6-7-9-t01', 'Metadata stream', error instanceof XmlError ? error.message : 'not well-formed');
    return null;
  }
  try {
    return rdfProperties(root);
  } catch (error) {
    out.fail('6-7-9-t01', 'Metadata stream', (error as Error).message);
    return null;
  }
}

function findRdf(el: XmlElement, depth = 0): XmlElement | null {
  if (el.ns === RDF_NS && el.local === 'RDF') return el;
  if (depth > 3) return null;
  for (const c of el.children) {
    const r = findRdf(c, depth + 1);
    if (r) return r;
  }
  return null;
}

function rdfProperties(root: XmlElement): XmpProperty[] {
  const rdf = findRdf(root);
  if (!rdf) throw new RdfError('no rdf:RDF element');
  const props: XmpProperty[] = [];
  let about: string | null = null;
  for (const d of rdf.children) {
    if (d.ns !== RDF_NS || d.local !== 'Description') throw new RdfError(`unexpected ${d.qname} in rdf:RDF`);
    // All descriptions describe the same resource; a missing or empty rdf:about means "this document".
    const a = d.attrs.find((x) => x.ns === RDF_NS && x.local === 'about')?.value ?? '';
    if (about !== null && a !== '' && a !== about) throw new RdfError('rdf:about values differ');
    if (a !== '') about = a;
    for (const attr of d.attrs) {
      if (attr.ns === RDF_NS || attr.ns === XML_NS || attr.ns === '') continue;
      props.push({ ns: attr.ns, prefix: attr.prefix, local: attr.local, value: { kind: 'simple', text: attr.value } });
    }
    for (const c of d.children) props.push({ ns: c.ns, prefix: c.prefix, local: c.local, value: rdfValue(c, 0) });
  }
  return props;
}

function langOf(el: XmlElement): string | undefined {
  return el.attrs.find((a) => a.ns === XML_NS && a.local === 'lang')?.value;
}

function rdfValue(el: XmlElement, depth: number): XmpValue {
  if (depth > 32) throw new RdfError('RDF nesting too deep');
  const lang = langOf(el);
  const resource = el.attrs.find((a) => a.ns === RDF_NS && a.local === 'resource');
  if (resource) return { kind: 'simple', text: resource.value, lang };
  const parseType = el.attrs.find((a) => a.ns === RDF_NS && a.local === 'parseType')?.value;
  if (parseType === 'Resource') {
    const value = el.children.find((c) => c.ns === RDF_NS && c.local === 'value');
    if (value) return rdfValue(value, depth + 1); // a qualified value; qualifiers do not change its type
    return { kind: 'struct', fields: el.children.map((c) => field(c, depth)), lang };
  }
  if (parseType !== undefined) throw new RdfError(`unsupported rdf:parseType ${parseType}`);
  const plainAttrs = el.attrs.filter((a) => a.ns !== RDF_NS && a.ns !== XML_NS && a.ns !== '');
  if (el.children.length === 0) {
    if (plainAttrs.length > 0) {
      return { kind: 'struct', fields: plainAttrs.map((a) => ({ ns: a.ns, prefix: a.prefix, local: a.local, value: { kind: 'simple', text: a.value } })), lang };
    }
    return { kind: 'simple', text: el.text, lang };
  }
  if (el.text.trim() !== '') throw new RdfError(`mixed content in ${el.qname}`);
  if (el.children.length !== 1) throw new RdfError(`more than one value in ${el.qname}`);
  const c = el.children[0]!;
  if (c.ns === RDF_NS && (c.local === 'Bag' || c.local === 'Seq' || c.local === 'Alt')) {
    const items: XmpValue[] = [];
    for (const li of c.children) {
      if (li.ns !== RDF_NS || li.local !== 'li') throw new RdfError(`unexpected ${li.qname} in rdf:${c.local}`);
      items.push(rdfValue(li, depth + 1));
    }
    return { kind: 'array', type: c.local, items, lang };
  }
  if (c.ns === RDF_NS && c.local === 'Description') {
    const value = c.children.find((x) => x.ns === RDF_NS && x.local === 'value');
    if (value) return rdfValue(value, depth + 1);
    const valueAttr = c.attrs.find((a) => a.ns === RDF_NS && a.local === 'value');
    if (valueAttr) return { kind: 'simple', text: valueAttr.value, lang };
    const fields: XmpProperty[] = c.attrs
      .filter((a) => a.ns !== RDF_NS && a.ns !== XML_NS && a.ns !== '')
      .map((a) => ({ ns: a.ns, prefix: a.prefix, local: a.local, value: { kind: 'simple', text: a.value } }));
    for (const f of c.children) fields.push(field(f, depth));
    return { kind: 'struct', fields, lang };
  }
  throw new RdfError(`unexpected ${c.qname} as the value of ${el.qname}`);
}

function field(c: XmlElement, depth: number): XmpProperty {
  return { ns: c.ns, prefix: c.prefix, local: c.local, value: rdfValue(c, depth + 1) };
}

// --- Types ---------------------------------------------------------------------------------

const STRUCT_TYPES = new Set([
  'Thumbnail', 'ResourceRef', 'ResourceEvent', 'Version', 'Job', 'Dimensions', 'Font', 'Colorant', 'Flash', 'OECF',
  'CFAPattern', 'DeviceSettings', 'Marker', 'Media', 'ProjectLink', 'Time', 'Timecode', 'TimeScaleStretch',
  'ResampleStretch', 'BeatSpliceStretch',
]);

function normaliseType(t: string): string {
  const s = t.trim().replace(/\s+/g, ' ');
  if (/^lang ?alt$/i.test(s) || /^alt lang$/i.test(s)) return 'LangAlt';
  const m = /^(bag|seq|alt|ordered array of|unordered array of|alternative array of) (.+)$/i.exec(s);
  if (m) {
    const kind = m[1]!.toLowerCase();
    const k = kind.startsWith('ordered') ? 'seq' : kind.startsWith('unordered') ? 'bag' : kind.startsWith('alternative') ? 'alt' : kind;
    return `${k} ${normaliseType(m[2]!)}`;
  }
  return s;
}

/** Whether a type name is meaningful: simple, array of known, structure, or user-defined. */
function knownType(t: string, custom: Set<string>): boolean {
  const n = normaliseType(t);
  if (n === 'LangAlt') return true;
  const m = /^(bag|seq|alt) (.+)$/.exec(n);
  if (m) return knownType(m[2]!, custom);
  return n in SIMPLE_TYPES || STRUCT_TYPES.has(n) || custom.has(n) || /^(Closed|Open) Choice( of (Text|Integer|Real))?$/i.test(n);
}

function valueMatches(v: XmpValue, type: string, custom: Set<string>): boolean {
  const t = normaliseType(type);
  if (t === 'LangAlt') return v.kind === 'array' && v.type === 'Alt' && v.items.every((i) => i.kind === 'simple' && i.lang !== undefined);
  const m = /^(bag|seq|alt) (.+)$/.exec(t);
  if (m) {
    const want = m[1] === 'bag' ? 'Bag' : m[1] === 'seq' ? 'Seq' : 'Alt';
    return v.kind === 'array' && v.type === want && v.items.every((i) => valueMatches(i, m[2]!, custom));
  }
  const closed = /^(\w+)\{(.*)\}$/.exec(t);
  if (closed) return valueMatches(v, closed[1]!, custom) && v.kind === 'simple' && closed[2]!.split(',').includes(v.text.trim());
  const choice = /^(?:Closed|Open) Choice of (\w+)$/i.exec(t);
  if (choice) return valueMatches(v, choice[1]!, custom);
  if (t in SIMPLE_TYPES) {
    if (v.kind !== 'simple') return false;
    const re = SIMPLE_TYPES[t];
    return !re || re.test(v.text.trim());
  }
  const def = STRUCTS.get(t);
  if (def) {
    // Every field must belong to the structure's namespace and have the field's type.
    return v.kind === 'struct' && v.fields.every((f) => f.ns === def.ns && def.fields.has(f.local) && valueMatches(f.value, def.fields.get(f.local)!, custom));
  }
  if (STRUCT_TYPES.has(t) || custom.has(t)) return v.kind === 'struct';
  return true; // unknown type names are reported under 6.7.8 instead
}

// --- Extension schemas -----------------------------------------------------------------------

interface ExtensionInfo {
  props: Map<string, Map<string, string>>; // namespace → property → value type
  custom: Set<string>;
}

function text(v: XmpValue | undefined): string | undefined {
  return v?.kind === 'simple' ? v.text : undefined;
}
function fieldOf(s: XmpValue, ns: string, local: string): XmpValue | undefined {
  return s.kind === 'struct' ? s.fields.find((f) => f.ns === ns && f.local === local)?.value : undefined;
}

function readExtensions(props: XmpProperty[], out: Findings): ExtensionInfo {
  const info: ExtensionInfo = { props: new Map(), custom: new Set() };
  const pending: { prop: XmpValue; where: string }[] = [];
  for (const p of props) {
    if (p.ns !== EXTENSION_NS.extension) continue;
    if (p.local !== 'schemas') {
      out.fail('6-7-8-t01', `pdfaExtension:${p.local}`);
      continue;
    }
    if (p.prefix !== 'pdfaExtension') out.fail('6-7-8-t02', `${p.prefix}:schemas`);
    if (p.value.kind !== 'array' || p.value.type !== 'Bag') {
      out.fail('6-7-8-t01', 'pdfaExtension:schemas', 'not a Bag');
      continue;
    }
    for (const schema of p.value.items) {
      if (schema.kind !== 'struct') {
        out.fail('6-7-8-t01', 'pdfaExtension:schemas', 'schema is not a structure');
        continue;
      }
      for (const f of schema.fields) {
        if (f.ns !== EXTENSION_NS.schema || !['schema', 'namespaceURI', 'prefix', 'property', 'valueType'].includes(f.local)) {
          out.fail('6-7-8-t01', `${f.prefix}:${f.local}`, 'unknown field in pdfaSchema');
        } else if (f.prefix !== 'pdfaSchema') out.fail('6-7-8-t02', `${f.prefix}:${f.local}`);
      }
      const ns = text(fieldOf(schema, EXTENSION_NS.schema, 'namespaceURI'));
      const prefix = text(fieldOf(schema, EXTENSION_NS.schema, 'prefix'));
      const name = text(fieldOf(schema, EXTENSION_NS.schema, 'schema'));
      if (ns === undefined || prefix === undefined || name === undefined) out.fail('6-7-8-t01', 'pdfaSchema', 'namespaceURI, prefix and schema are required text');
      const types = fieldOf(schema, EXTENSION_NS.schema, 'valueType');
      if (types !== undefined) {
        if (types.kind !== 'array' || types.type !== 'Seq') out.fail('6-7-8-t01', 'pdfaSchema:valueType', 'not a Seq');
        else
          for (const t of types.items) {
            if (t.kind !== 'struct') {
              out.fail('6-7-8-t01', 'pdfaSchema:valueType');
              continue;
            }
            for (const f of t.fields) {
              if (f.ns !== EXTENSION_NS.type || !['type', 'namespaceURI', 'prefix', 'description', 'field'].includes(f.local)) out.fail('6-7-8-t01', `${f.prefix}:${f.local}`, 'unknown field in pdfaType');
              else if (f.prefix !== 'pdfaType') out.fail('6-7-8-t02', `${f.prefix}:${f.local}`);
            }
            const tn = text(fieldOf(t, EXTENSION_NS.type, 'type'));
            if (!tn || text(fieldOf(t, EXTENSION_NS.type, 'namespaceURI')) === undefined || text(fieldOf(t, EXTENSION_NS.type, 'prefix')) === undefined || text(fieldOf(t, EXTENSION_NS.type, 'description')) === undefined) {
              out.fail('6-7-8-t01', 'pdfaType', 'type, namespaceURI, prefix and description are required');
            }
            if (tn) info.custom.add(normaliseType(tn));
            const fields = fieldOf(t, EXTENSION_NS.type, 'field');
            if (fields !== undefined) {
              if (fields.kind !== 'array' || fields.type !== 'Seq') out.fail('6-7-8-t01', 'pdfaType:field', 'not a Seq');
              else
                for (const fd of fields.items) {
                  if (fd.kind !== 'struct') continue;
                  for (const f of fd.fields) {
                    if (f.ns !== EXTENSION_NS.field || !['name', 'valueType', 'description'].includes(f.local)) out.fail('6-7-8-t01', `${f.prefix}:${f.local}`, 'unknown field in pdfaField');
                    else if (f.prefix !== 'pdfaField') out.fail('6-7-8-t02', `${f.prefix}:${f.local}`);
                  }
                  const vt = text(fieldOf(fd, EXTENSION_NS.field, 'valueType'));
                  if (!text(fieldOf(fd, EXTENSION_NS.field, 'name')) || !vt || text(fieldOf(fd, EXTENSION_NS.field, 'description')) === undefined) out.fail('6-7-8-t01', 'pdfaField', 'name, valueType and description are required');
                  else pending.push({ prop: { kind: 'simple', text: vt }, where: 'pdfaField:valueType' });
                }
            }
          }
      }
      const properties = fieldOf(schema, EXTENSION_NS.schema, 'property');
      const defined = new Map<string, string>();
      if (properties !== undefined) {
        if (properties.kind !== 'array' || properties.type !== 'Seq') out.fail('6-7-8-t01', 'pdfaSchema:property', 'not a Seq');
        else
          for (const pr of properties.items) {
            if (pr.kind !== 'struct') {
              out.fail('6-7-8-t01', 'pdfaSchema:property');
              continue;
            }
            for (const f of pr.fields) {
              if (f.ns !== EXTENSION_NS.property || !['name', 'valueType', 'category', 'description'].includes(f.local)) out.fail('6-7-8-t01', `${f.prefix}:${f.local}`, 'unknown field in pdfaProperty');
              else if (f.prefix !== 'pdfaProperty') out.fail('6-7-8-t02', `${f.prefix}:${f.local}`);
            }
            const pn = text(fieldOf(pr, EXTENSION_NS.property, 'name'));
            const vt = text(fieldOf(pr, EXTENSION_NS.property, 'valueType'));
            const cat = text(fieldOf(pr, EXTENSION_NS.property, 'category'));
            const desc = text(fieldOf(pr, EXTENSION_NS.property, 'description'));
            if (!pn || !vt || desc === undefined || cat === undefined) out.fail('6-7-8-t01', 'pdfaProperty', 'name, valueType, category and description are required');
            if (cat !== undefined && cat !== 'internal' && cat !== 'external') out.fail('6-7-8-t01', 'pdfaProperty:category', cat);
            if (pn && vt) {
              defined.set(pn, vt);
              pending.push({ prop: { kind: 'simple', text: vt }, where: `pdfaProperty ${pn}` });
            }
          }
      }
      if (ns) {
        const existing = info.props.get(ns) ?? new Map<string, string>();
        for (const [k, v] of defined) existing.set(k, v);
        info.props.set(ns, existing);
      }
    }
  }
  for (const p of pending) {
    const t = text(p.prop)!;
    if (!knownType(t, info.custom)) out.fail('6-7-8-t03', p.where, t);
  }
  return info;
}

function checkProperties(props: XmpProperty[], out: Findings): void {
  const ext = readExtensions(props, out);
  let pdfaid = false;
  const idProps = new Set<string>();
  for (const p of props) {
    if (p.ns === EXTENSION_NS.extension) continue;
    const where = `${p.prefix}:${p.local}`;
    const pre = PREDEFINED.get(p.ns);
    if (p.ns === 'http://www.aiim.org/pdfa/ns/id/') {
      pdfaid = true;
      idProps.add(p.local);
      checkPdfaId(p, out);
      continue;
    }
    let type: string | undefined;
    if (pre) type = pre.props.get(p.local);
    type ??= ext.props.get(p.ns)?.get(p.local);
    if (type === undefined) {
      // ISO 19005-1 6.7.9: a property must belong to a predefined schema or to an extension
      // schema described in the file. An undescribed schema breaks that clause alone; 6.7.8 is
      // about the descriptions that are present.
      out.fail(pre ? '6-7-2-t03' : '6-7-2-t04', where);
      continue;
    }
    if (!valueMatches(p.value, type, ext.custom)) out.fail('6-7-2-t05', where, normaliseType(type));
    if (p.ns === XMP_MM && p.local === 'History' && p.value.kind === 'array') checkHistory(p.value.items, out);
  }
  if (!pdfaid) out.fail('6-7-11-t01', 'XMP');
  else {
    if (!idProps.has('part')) out.fail('6-7-11-t02', 'pdfaid:part', 'missing');
    if (!idProps.has('conformance')) out.fail('6-7-11-t03', 'pdfaid:conformance', 'missing');
  }
}

const XMP_MM = 'http://ns.adobe.com/xap/1.0/mm/';
const ST_EVT = 'http://ns.adobe.com/xap/1.0/sType/ResourceEvent#';

/** 6.7.7: every recorded provenance event names its action, parameters and time. */
function checkHistory(events: XmpValue[], out: Findings): void {
  events.forEach((e, i) => {
    if (e.kind !== 'struct') return;
    const has = (local: string) => e.fields.some((f) => f.ns === ST_EVT && f.local === local);
    if (!has('action') || !has('parameters') || !has('when')) out.fail('6-7-7-t01', `xmpMM:History[${i + 1}]`);
  });
}

function checkPdfaId(p: XmpProperty, out: Findings): void {
  const where = `${p.prefix}:${p.local}`;
  if (p.prefix !== 'pdfaid') out.fail('6-7-11-t05', where, p.prefix);
  const v = p.value.kind === 'simple' ? p.value.text.trim() : undefined;
  if (p.local === 'part' && v !== '1') out.fail('6-7-11-t02', where, v);
  else if (p.local === 'conformance' && v !== 'B' && v !== 'A') out.fail('6-7-11-t03', where, v);
  // The PDF/A-1 identification schema (6.7.11) defines part, conformance and amd only; any other
  // property in it (pdfaid:corr came with PDF/A-2) is outside the predefined schemas (6.7.9).
  else if (!['part', 'conformance', 'amd'].includes(p.local)) out.fail('6-7-2-t03', where);
}

// --- 6.7.3 Info dictionary ↔ XMP -------------------------------------------------------------

const DC = 'http://purl.org/dc/elements/1.1/';
const XMP = 'http://ns.adobe.com/xap/1.0/';
const PDF = 'http://ns.adobe.com/pdf/1.3/';

function find(props: XmpProperty[], ns: string, local: string): XmpValue | undefined {
  return props.find((p) => p.ns === ns && p.local === local)?.value;
}
function xDefault(v: XmpValue | undefined): string | undefined {
  if (v?.kind !== 'array') return undefined;
  const item = v.items.find((i) => i.lang === 'x-default') ?? undefined;
  return item?.kind === 'simple' ? item.text : undefined;
}

function checkInfoAgainst(doc: PdfDocument, out: Findings, props: XmpProperty[] | null): void {
  const info = doc.info;
  if (!info) return;
  const str = (key: string): string | undefined => {
    const v = doc.resolve(info.get(key));
    if (v === undefined || v === null) return undefined; // null is the same as absent
    return v instanceof CosString ? v.text() : '\u0000not a string';
  };
  // ISO 19005-1 6.7.3 is the clause that requires Info entries and their XMP analogues to be
  // equivalent; one failure per file (veraPDF's profile has no second, 6.1.5, rule for it).
  const mismatch = (key: string, detail: string) => out.fail('6-7-3-t01', `Info ${key}`, detail);
  const list = props ?? [];
  const pairs: [string, () => string | undefined][] = [
    ['Title', () => xDefault(find(list, DC, 'title'))],
    ['Subject', () => xDefault(find(list, DC, 'description'))],
    ['Keywords', () => text(find(list, PDF, 'Keywords'))],
    ['Creator', () => text(find(list, XMP, 'CreatorTool'))],
    ['Producer', () => text(find(list, PDF, 'Producer'))],
  ];
  for (const [key, get] of pairs) {
    const v = str(key);
    if (v === undefined) continue;
    const x = get();
    if (x !== v) mismatch(key, x === undefined ? 'missing in XMP' : `"${v}" ≠ "${x}"`);
  }
  const author = str('Author');
  if (author !== undefined) {
    const c = find(list, DC, 'creator');
    const items = c?.kind === 'array' ? c.items : [];
    const first = items.length === 1 && items[0]!.kind === 'simple' ? items[0]!.text : undefined;
    if (first !== author) mismatch('Author', first === undefined ? 'missing in XMP' : `"${author}" ≠ "${first}"`);
  }
  for (const [key, local] of [
    ['CreationDate', 'CreateDate'],
    ['ModDate', 'ModifyDate'],
  ] as const) {
    const v = str(key);
    if (v === undefined) continue;
    const x = text(find(list, XMP, local));
    if (x === undefined) {
      mismatch(key, 'missing in XMP');
      continue;
    }
    const a = pdfDate(v);
    const b = xmpDate(x);
    if (a === null || b === null || a !== b) mismatch(key, `${v} ≠ ${x}`);
  }
}

/** PDF date → comparable instant string (UTC ms), or null when malformed. */
export function pdfDate(s: string): number | null {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:(Z|[+-])(?:(\d{2})'?(?:(\d{2})'?)?)?'?)?$/.exec(s.trim());
  if (!m) return null;
  return instant(m[1]!, m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9]);
}
export function xmpDate(s: string): number | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(s.trim());
  if (!m) return null;
  const tz = m[7];
  const sign = tz === undefined ? undefined : tz === 'Z' ? 'Z' : tz[0];
  return instant(m[1]!, m[2], m[3], m[4], m[5], m[6], sign, tz && tz !== 'Z' ? tz.slice(1, 3) : undefined, tz && tz !== 'Z' ? tz.slice(4, 6) : undefined);
}
function instant(y: string, mo?: string, d?: string, h?: string, mi?: string, se?: string, z?: string, zh?: string, zm?: string): number {
  let t = Date.UTC(+y, (mo ? +mo : 1) - 1, d ? +d : 1, h ? +h : 0, mi ? +mi : 0, se ? +se : 0);
  if (z === '+' || z === '-') {
    const off = ((zh ? +zh : 0) * 60 + (zm ? +zm : 0)) * 60000;
    t += z === '+' ? -off : off;
  }
  return t;
}

export function metadataStream(doc: PdfDocument): CosStream | undefined {
  return doc.stream(doc.catalog?.get('Metadata'));
}
