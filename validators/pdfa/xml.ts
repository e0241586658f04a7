// A strict, small XML parser with namespace resolution for XMP packets. Well-formedness is
// itself a PDF/A rule (6.7.9), so errors are reported, never repaired. Bounded depth and size.

export interface XmlAttr {
  qname: string;
  prefix: string;
  local: string;
  ns: string;
  value: string;
}

export interface XmlElement {
  qname: string;
  prefix: string;
  local: string;
  ns: string;
  attrs: XmlAttr[];
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
  /** Namespace declarations made on this element (prefix → URI). */
  declared: Map<string, string>;
}

export class XmlError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at ${offset}`);
    this.name = 'XmlError';
  }
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const NAME = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_.:\u00B7\u00C0-\uFFFF]*/y;
const MAX_DEPTH = 200;

export function parseXml(src: string): XmlElement {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new XmlError(msg, pos);
  };
  const skipWs = () => {
    while (pos < src.length && /[ \t\r\n]/.test(src[pos]!)) pos++;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(src);
    if (!m) fail('name expected');
    pos += m![0].length;
    return m![0];
  };
  const decode = (s: string): string =>
    s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|&/g, (all, ent: string | undefined) => {
      if (!ent) fail('bare ampersand');
      if (ent![0] === '#') {
        const cp = ent![1] === 'x' ? parseInt(ent!.slice(2), 16) : parseInt(ent!.slice(1), 10);
        if (!(cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0x10ffff) && cp !== 0xfffe && cp !== 0xffff)) fail('invalid character reference');
        return String.fromCodePoint(cp);
      }
      const map: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
      if (!(ent! in map)) fail(`undefined entity &${ent};`);
      return map[ent!] ?? all;
    });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(src)) {
    pos = src.search(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
    fail('invalid character');
  }

  const skipMisc = () => {
    for (;;) {
      skipWs();
      if (src.startsWith('<?', pos)) {
        const e = src.indexOf('?>', pos);
        if (e < 0) fail('unterminated processing instruction');
        pos = e + 2;
      } else if (src.startsWith('<!--', pos)) {
        const e = src.indexOf('-->', pos);
        if (e < 0) fail('unterminated comment');
        pos = e + 3;
      } else if (src.startsWith('<!DOCTYPE', pos)) fail('DOCTYPE is not allowed in XMP');
      else break;
    }
  };

  const scopes: Map<string, string>[] = [new Map([['xml', XML_NS]])];
  const lookup = (prefix: string): string | undefined => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const v = scopes[i]!.get(prefix);
      if (v !== undefined) return v;
    }
    return undefined;
  };

  const element = (depth: number): XmlElement => {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    if (src[pos] !== '<') fail('element expected');
    pos++;
    const qname = readName();
    const raw: { qname: string; value: string }[] = [];
    const declared = new Map<string, string>();
    for (;;) {
      const before = pos;
      skipWs();
      if (src.startsWith('/>', pos) || src[pos] === '>') break;
      if (pos === before) fail('white space expected between attributes');
      const an = readName();
      skipWs();
      if (src[pos] !== '=') fail('= expected');
      pos++;
      skipWs();
      const q = src[pos];
      if (q !== '"' && q !== "'") fail('quoted attribute value expected');
      const end = src.indexOf(q!, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      const rawValue = src.slice(pos + 1, end);
      if (rawValue.includes('<')) fail('< in attribute value');
      pos = end + 1;
      if (raw.some((r) => r.qname === an)) fail(`duplicate attribute ${an}`);
      const value = decode(rawValue);
      if (an === 'xmlns') declared.set('', value);
      else if (an.startsWith('xmlns:')) declared.set(an.slice(6), value);
      else raw.push({ qname: an, value });
    }
    scopes.push(declared);
    const split = (n: string, isAttr: boolean) => {
      const i = n.indexOf(':');
      const prefix = i < 0 ? '' : n.slice(0, i);
      const local = i < 0 ? n : n.slice(i + 1);
      const ns = prefix === '' && isAttr ? '' : (lookup(prefix) ?? (prefix ? fail(`undeclared prefix ${prefix}`) : ''));
      return { prefix, local, ns };
    };
    const el: XmlElement = { qname, ...split(qname, false), attrs: raw.map((r) => ({ ...r, ...split(r.qname, true) })), children: [], text: '', declared };
    if (src.startsWith('/>', pos)) {
      pos += 2;
      scopes.pop();
      return el;
    }
    pos++; // >
    for (;;) {
      if (pos >= src.length) fail(`unclosed element ${qname}`);
      const lt = src.indexOf('<', pos);
      if (lt < 0) fail(`unclosed element ${qname}`);
      if (lt > pos) {
        const chunk = src.slice(pos, lt);
        if (chunk.includes(']]>')) fail(']]> in content');
        el.text += decode(chunk);
        pos = lt;
      }
      if (src.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== qname) fail(`mismatched end tag ${closing} for ${qname}`);
        skipWs();
        if (src[pos] !== '>') fail('> expected');
        pos++;
        scopes.pop();
        return el;
      }
      if (src.startsWith('<!--', pos)) {
        const e = src.indexOf('-->', pos);
        if (e < 0) fail('unterminated comment');
        pos = e + 3;
      } else if (src.startsWith('<![CDATA[', pos)) {
        const e = src.indexOf(']]>', pos);
        if (e < 0) fail('unterminated CDATA');
        el.text += src.slice(pos + 9, e);
        pos = e + 3;
      } else if (src.startsWith('<?', pos)) {
        const e = src.indexOf('?>', pos);
        if (e < 0) fail('unterminated processing instruction');
        pos = e + 2;
      } else el.children.push(element(depth + 1));
    }
  };

  if (src.charCodeAt(0) === 0xfeff) pos = 1;
  skipMisc();
  const root = element(0);
  skipMisc();
  if (pos < src.length) fail('content after the root element');
  return root;
}
