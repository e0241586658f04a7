// One hand-built file per rule: a conforming PDF/A-1b document with exactly one part broken,
// checked for the rule (and clause) the break must produce.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateBytes } from './builtin';
import { DC_TITLE, PDFAID, cidKeyedCff, cidSetBits, iccProfile, nameKeyedCff, pdfa, stream, trueTypeProgram, xmp, type PdfaOptions } from './testing/build-pdf';
import { RULES } from './rules';

function failuresOf(bytes: Uint8Array) {
  const r = validateBytes(bytes, { timeoutMs: 10_000 });
  return { ...r, rules: r.failures.map((f) => f.rule) };
}

const TYPE1_FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

const cases: [string, string, PdfaOptions | (() => Buffer)][] = [
  ['header not at offset 0', '6-1-2-t01', () => Buffer.concat([Buffer.from(' '), pdfa()])],
  ['no binary comment after the header', '6-1-2-t02', { header: '%PDF-1.4\n%abcd\n' }],
  ['trailer without ID', '6-1-3-t01', { trailer: '/Root 1 0 R /Info 8 0 R' }],
  ['Encrypt in the trailer', '6-1-3-t02', { trailer: '/Root 1 0 R /Info 8 0 R /Encrypt 8 0 R /ID [<00> <00>]' }],
  ['data after %%EOF', '6-1-3-t03', { afterEof: 'garbage' }],
  ['xref subsection header with two spaces', '6-1-4-t01', () => Buffer.from(pdfa().toString('latin1').replace(/xref\n0 9/, 'xref\n0  9'), 'latin1')],
  ['xref keyword followed by a space', '6-1-4-t02', () => Buffer.from(pdfa().toString('latin1').replace('xref\n', 'xref \n'), 'latin1')],
  ['odd hex string', '6-1-6-t01', { info: '<< /Title (Test) /Custom <ABC> >>' }],
  ['non-hex character in a hex string', '6-1-6-t02', { info: '<< /Title (Test) /Custom <ABZZ> >>' }],
  ['wrong stream Length', '6-1-7-t01', { extra: [stream('', 'abcdef', { length: 3 })], catalogExtra: '/X 9 0 R' }],
  ['stream keyword followed by CR only', '6-1-7-t02', { extra: [stream('', 'abc', { eol: '\r' })], catalogExtra: '/X 9 0 R' }],
  ['F key in a stream dictionary', '6-1-7-t03', { extra: [stream('/F (ext.dat)', 'abc')], catalogExtra: '/X 9 0 R' }],
  ['object header with two spaces', '6-1-8-t01', () => Buffer.from(pdfa().toString('latin1').replace('\n8 0 obj', '\n8  0 obj'), 'latin1')],
  ['LZW stream', '6-1-10-t01', { extra: [stream('/Filter /LZWDecode', 'abc')], catalogExtra: '/X 9 0 R' }],
  ['LZW inline image', '6-1-10-t02', { content: 'BI /W 1 /H 1 /CS /RGB /BPC 8 /F /LZW ID \x00\x00\x00 EI' }],
  ['embedded file specification', '6-1-11-t01', { extra: ['<< /Type /Filespec /F (a.txt) /EF << /F 10 0 R >> >>', stream('', 'x')], catalogExtra: '/X 9 0 R' }],
  ['EmbeddedFiles name tree', '6-1-11-t02', { catalogExtra: '/Names << /EmbeddedFiles << /Names [] >> >>' }],
  ['integer out of range', '6-1-12-t01', { info: '<< /Title (Test) /N 2147483648 >>' }],
  ['real out of range', '6-1-12-t02', { info: '<< /Title (Test) /N 32768.5 >>' }],
  ['string over 65535 bytes', '6-1-12-t03', { info: `<< /Title (Test) /Long (${'a'.repeat(65536)}) >>` }],
  ['name over 127 bytes', '6-1-12-t04', { info: `<< /Title (Test) /${'N'.repeat(128)} 1 >>` }],
  ['array over 8191 elements', '6-1-12-t05', { info: `<< /Title (Test) /A [${'0 '.repeat(8192)}] >>` }],
  ['q nesting over 28', '6-1-12-t08', { content: 'q '.repeat(29) + 'Q '.repeat(29) }],
  ['DeviceN with 9 components', '6-1-12-t09', { resources: '/ColorSpace << /CS0 [/DeviceN [/a /b /c /d /e /f /g /h /i] /DeviceRGB 9 0 R] >>', content: '/CS0 cs', extra: ['<< /FunctionType 2 /Domain [0 1] /N 1 >>'] }],
  ['optional content', '6-1-13-t01', { catalogExtra: '/OCProperties << /OCGs [] /D << >> >>' }],
  ['output intent profile of class scnr', '6-2-2-t01', { icc: iccProfile('scnr') }],
  ['device colour with an output intent that has no profile', '6-2-3-t02', { outputIntent: '<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (x) >>', content: '1 0 0 rg 0 0 10 10 re f' }],
  ['ICCBased space with a v4 profile', '6-2-3-t01', { resources: '/ColorSpace << /CS0 [/ICCBased 9 0 R] >>', content: '/CS0 cs 1 0 0 sc', extra: [stream('/N 3', iccProfile('mntr', 'RGB ', 4))] }],
  ['DeviceCMYK with an RGB output intent', '6-2-3-t03', { content: '0 0 0 1 k 0 0 10 10 re f' }],
  ['DeviceRGB with a CMYK output intent', '6-2-3-t02', { icc: iccProfile('prtr', 'CMYK'), content: '1 0 0 rg 0 0 10 10 re f' }],
  ['DeviceGray without output intent', '6-2-3-t04', { outputIntent: null, content: '0.5 g 0 0 10 10 re f' }],
  ['ICC N not matching the profile', '6-2-3-t05', { resources: '/ColorSpace << /CS0 [/ICCBased 9 0 R] >>', content: '/CS0 cs', extra: [stream('/N 4', iccProfile())] }],
  ['image with Alternates', '6-2-4-t01', { resources: '/XObject << /Im0 9 0 R >>', content: '/Im0 Do', extra: [stream('/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Alternates []', '\x00\x00\x00')] }],
  ['image with OPI', '6-2-4-t02', { resources: '/XObject << /Im0 9 0 R >>', content: '/Im0 Do', extra: [stream('/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 8 /OPI << >>', '\x00\x00\x00')] }],
  ['interpolated image', '6-2-4-t03', { resources: '/XObject << /Im0 9 0 R >>', content: '/Im0 Do', extra: [stream('/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Interpolate true', '\x00\x00\x00')] }],
  ['16-bit image', '6-2-4-t04', { resources: '/XObject << /Im0 9 0 R >>', content: '/Im0 Do', extra: [stream('/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 16', '\x00\x00\x00\x00\x00\x00')] }],
  ['image mask with 8 bits', '6-2-4-t05', { content: 'BI /W 1 /H 1 /IM true /BPC 8 ID \x00 EI' }],
  ['OpenType font program', '6-3-2-t07', { resources: '/Font << /F1 9 0 R >>', content: 'BT /F1 12 Tf (a) Tj ET', extra: ['<< /Type /Font /Subtype /Type1 /BaseFont /Foo /FirstChar 97 /LastChar 97 /Widths [500] /FontDescriptor 10 0 R >>', '<< /Type /FontDescriptor /FontName /Foo /Flags 32 /FontFile3 11 0 R >>', stream('/Subtype /OpenType', 'OTTO')] }],
  ['form XObject with PS', '6-2-5-t01', { resources: '/XObject << /Fm0 9 0 R >>', content: '/Fm0 Do', extra: [stream('/Type /XObject /Subtype /Form /BBox [0 0 1 1] /PS 10 0 R', ''), stream('', '')] }],
  ['reference XObject', '6-2-6-t01', { resources: '/XObject << /Fm0 9 0 R >>', content: '/Fm0 Do', extra: [stream('/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Ref << /F (x.pdf) /Page 0 >>', '')] }],
  ['PostScript XObject', '6-2-7-t01', { resources: '/XObject << /Ps0 9 0 R >>', content: '/Ps0 Do', extra: [stream('/Type /XObject /Subtype /PS', '')] }],
  ['ExtGState with TR', '6-2-8-t01', { resources: '/ExtGState << /G0 << /TR /Identity >> >>', content: '/G0 gs' }],
  ['ExtGState with TR2 other than Default', '6-2-8-t02', { resources: '/ExtGState << /G0 << /TR2 /Identity >> >>', content: '/G0 gs' }],
  ['unknown rendering intent', '6-2-9-t01', { content: '/Fancy ri' }],
  ['undefined operator', '6-2-10-t01', { content: 'BX 1 2 foo EX' }],
  ['font dictionary without Type', '6-3-2-t01', { resources: '/Font << /F1 << /Subtype /Type1 /BaseFont /Helvetica >> >>', content: 'BT /F1 12 Tf (a) Tj ET' }],
  ['font not embedded', '6-3-4-t01', { resources: `/Font << /F1 ${TYPE1_FONT} >>`, content: 'BT /F1 12 Tf (a) Tj ET' }],
  ['Type1 subset without CharSet', '6-3-5-t02', { resources: '/Font << /F1 9 0 R >>', content: 'BT /F1 12 Tf (a) Tj ET', extra: ['<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Foo /FirstChar 97 /LastChar 97 /Widths [500] /FontDescriptor 10 0 R >>', '<< /Type /FontDescriptor /FontName /ABCDEF+Foo /Flags 32 /FontFile 11 0 R >>', stream('/Length1 0 /Length2 0 /Length3 0', '%!PS-AdobeFont-1.0')] }],
  ['Type0 font with a non-embedded CMap', '6-3-3-t03', { resources: '/Font << /F1 9 0 R >>', content: 'BT /F1 12 Tf <0001> Tj ET', extra: ['<< /Type /Font /Subtype /Type0 /BaseFont /Foo /Encoding /UniJIS-UCS2-H /DescendantFonts [10 0 R] >>', '<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Foo /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 0 >> /CIDToGIDMap /Identity /FontDescriptor 11 0 R >>', '<< /Type /FontDescriptor /FontName /Foo /Flags 4 /FontFile2 12 0 R >>', stream('', 'x')] }],
  ['Type2 CIDFont without CIDToGIDMap', '6-3-3-t02', { resources: '/Font << /F1 9 0 R >>', content: 'BT /F1 12 Tf <0001> Tj ET', extra: ['<< /Type /Font /Subtype /Type0 /BaseFont /Foo /Encoding /Identity-H /DescendantFonts [10 0 R] >>', '<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Foo /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 11 0 R >>', '<< /Type /FontDescriptor /FontName /Foo /Flags 4 /FontFile2 12 0 R >>', stream('', 'x')] }],
  ['non-symbolic TrueType without standard encoding', '6-3-7-t01', { resources: '/Font << /F1 9 0 R >>', content: 'BT /F1 12 Tf (a) Tj ET', extra: ['<< /Type /Font /Subtype /TrueType /BaseFont /Foo /FirstChar 97 /LastChar 97 /Widths [500] /FontDescriptor 10 0 R >>', '<< /Type /FontDescriptor /FontName /Foo /Flags 32 /FontFile2 11 0 R >>', stream('', 'x')] }],
  ['ExtGState soft mask', '6-4-t01', { resources: '/ExtGState << /G0 << /SMask 9 0 R >> >>', content: '/G0 gs', extra: ['<< /Type /Mask /S /Luminosity /G 10 0 R >>', stream('/Type /XObject /Subtype /Form /BBox [0 0 1 1]', '')] }],
  ['transparency group on a page', '6-4-t03', { pageExtra: '/Group << /S /Transparency /CS /DeviceRGB >>' }],
  ['blend mode Multiply', '6-4-t04', { resources: '/ExtGState << /G0 << /BM /Multiply >> >>', content: '/G0 gs' }],
  ['fill alpha 0.5', '6-4-t06', { resources: '/ExtGState << /G0 << /ca 0.5 >> >>', content: '/G0 gs' }],
  ['sound annotation', '6-5-2-t01', { pageExtra: '/Annots [9 0 R]', extra: ['<< /Type /Annot /Subtype /Sound /Rect [0 0 10 10] /F 4 >>'] }],
  ['hidden annotation', '6-5-3-t02', { pageExtra: '/Annots [9 0 R]', extra: ['<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] /F 6 >>'] }],
  ['JavaScript action', '6-6-1-t01', { catalogExtra: '/OpenAction << /S /JavaScript /JS (app.alert(1)) >>' }],
  ['named action Print', '6-6-1-t02', { catalogExtra: '/OpenAction << /S /Named /N /Print >>' }],
  ['catalog additional actions', '6-6-2-t03', { catalogExtra: '/AA << /WC << /S /GoTo /D [3 0 R /Fit] >> >>' }],
  ['no Metadata', '6-7-2-t01', () => Buffer.from(pdfa().toString('latin1').replace(' /Metadata 5 0 R', ''), 'latin1')],
  ['compressed Metadata', '6-7-2-t02', { metadataDict: '/Type /Metadata /Subtype /XML /Filter /ASCIIHexDecode' }],
  ['property outside the 2004 schemas', '6-7-2-t03', { xmp: xmp(PDFAID + DC_TITLE + '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="3"/>') }],
  ['undescribed schema', '6-7-2-t04', { xmp: xmp(PDFAID + DC_TITLE + '<rdf:Description rdf:about="" xmlns:my="http://example.org/my/" my:thing="x"/>') }],
  ['wrong value type', '6-7-2-t05', { xmp: xmp(PDFAID + DC_TITLE + '<rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:ImageWidth="wide"/>') }],
  ['Info Title differs from dc:title', '6-7-3-t01', { info: '<< /Title (Other) >>' }],
  ['xpacket bytes attribute', '6-7-5-t01', { xmp: xmp(undefined, '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d" bytes="1234"?>') }],
  ['history event without parameters', '6-7-7-t01', { xmp: xmp(PDFAID + DC_TITLE + '<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"><xmpMM:History><rdf:Seq><rdf:li rdf:parseType="Resource"><stEvt:action>converted</stEvt:action><stEvt:when>2025-01-01T10:00:00Z</stEvt:when></rdf:li></rdf:Seq></xmpMM:History></rdf:Description>') }],
  ['extension schema property without category', '6-7-8-t01', {
    xmp: xmp(PDFAID + DC_TITLE + '<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource"><pdfaSchema:schema>My</pdfaSchema:schema><pdfaSchema:namespaceURI>http://example.org/my/</pdfaSchema:namespaceURI><pdfaSchema:prefix>my</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource"><pdfaProperty:name>thing</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:description>x</pdfaProperty:description></rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>'),
  }],
  ['malformed XMP', '6-7-9-t01', { xmp: xmp(PDFAID + '<rdf:Description rdf:about="">') }],
  ['no PDF/A identification', '6-7-11-t01', { xmp: xmp(DC_TITLE) }],
  ['pdfaid:part 2', '6-7-11-t02', { xmp: xmp('<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="2" pdfaid:conformance="B"/>' + DC_TITLE) }],
  ['NeedAppearances true', '6-9-t01', { catalogExtra: '/AcroForm << /Fields [] /NeedAppearances true >>' }],
];

describe('PDF/A-1b rules on hand-built files', () => {
  it('accepts the minimal conforming file', () => {
    const r = failuresOf(pdfa());
    expect(r.failures).toEqual([]);
    expect(r.compliant).toBe(true);
  });

  it.each(cases)('%s → %s', (_name, rule, build) => {
    const bytes = typeof build === 'function' ? build() : pdfa(build);
    const r = failuresOf(bytes);
    expect(r.unreadable).toBe(false);
    expect(r.compliant).toBe(false);
    expect(r.rules).toContain(rule);
    const failure = r.failures.find((f) => f.rule === rule)!;
    expect(failure.clause).toBe(RULES[rule]!.clause);
    expect(failure.message.length).toBeGreaterThan(10);
  });

  it('ignores objects the xref table marks free', () => {
    const bytes = pdfa({ extra: ['<< /Bad <ABC> >>'], free: [9] });
    expect(failuresOf(bytes).failures).toEqual([]);
  });

  it('accepts a DefaultRGB space instead of an RGB output intent', () => {
    const bytes = pdfa({ icc: iccProfile('prtr', 'CMYK'), resources: '/ColorSpace << /DefaultRGB [/ICCBased 9 0 R] >>', extra: [stream('/N 3', iccProfile())] });
    expect(failuresOf(bytes).rules).not.toContain('6-2-3-t02');
  });

  it('reports text shown only in rendering mode 3 without requiring embedding', () => {
    const bytes = pdfa({ resources: `/Font << /F1 ${TYPE1_FONT} >>`, content: 'BT 3 Tr /F1 12 Tf (a) Tj ET' });
    expect(failuresOf(bytes).rules).not.toContain('6-3-4-t01');
  });

  it('compares Info dates with XMP dates across time zones', () => {
    const bytes = pdfa({
      info: "<< /Title (Test) /CreationDate (D:20250101120000+05'00') >>",
      xmp: xmp(PDFAID + DC_TITLE + '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2025-01-01T07:00:00Z"/>'),
    });
    expect(failuresOf(bytes).failures).toEqual([]);
  });

  it('reads UTF-16 XMP packets', () => {
    const utf16be = Buffer.from('\uFEFF' + xmp(), 'utf16le').swap16();
    expect(failuresOf(pdfa({ xmpBytes: utf16be })).failures).toEqual([]);
    const latin = Buffer.from(xmp().replace('Test', 'T\u00e9st'), 'latin1');
    expect(failuresOf(pdfa({ xmpBytes: latin })).rules).toContain('6-7-9-t01');
  });

  // Fixes found by bench/validator-agreement.ts against veraPDF 1.28, one clause each.
  it('reports an Info entry that differs from XMP under 6.7.3 only', () => {
    const r = failuresOf(pdfa({ info: '<< /Title (Other) >>' }));
    expect(r.failures.map((f) => f.clause)).toEqual(['6.7.3']);
  });

  it('treats an output intent without a profile as none, failing only device colour (6.2.3.3)', () => {
    const noProfile = '<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (x) >>';
    const rgb = failuresOf(pdfa({ outputIntent: noProfile, content: '1 0 0 rg 0 0 10 10 re f' }));
    expect(rgb.failures.map((f) => f.clause)).toEqual(['6.2.3.3']);
    const grey = failuresOf(pdfa({ outputIntent: null, content: '0.5 g 0 0 10 10 re f' }));
    expect(grey.failures.map((f) => f.clause)).toEqual(['6.2.3.3']);
  });

  it('reports properties outside the predefined or described schemas under 6.7.9, not 6.7.8', () => {
    const undescribed = failuresOf(pdfa({ xmp: xmp(PDFAID + DC_TITLE + '<rdf:Description rdf:about="" xmlns:my="http://example.org/my/" my:thing="x"/>') }));
    expect(undescribed.failures.map((f) => f.clause)).toEqual(['6.7.9']);
    const corr = failuresOf(pdfa({ xmp: xmp('<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="1" pdfaid:conformance="B" pdfaid:corr="1"/>' + DC_TITLE) }));
    expect(corr.failures.map((f) => [f.clause, f.location])).toEqual([['6.7.9', 'pdfaid:corr']]);
  });

  it('requires an appearance subdictionary for a Btn widget and a stream for other annotations (6.5.3)', () => {
    const widget = (n: string) =>
      pdfa({
        pageExtra: '/Annots [9 0 R]',
        catalogExtra: '/AcroForm << /Fields [9 0 R] >>',
        extra: [`<< /Type /Annot /Subtype /Widget /FT /Btn /T (b) /Rect [0 0 10 10] /F 4 /AP << /N ${n} >> >>`, stream('/Type /XObject /Subtype /Form /BBox [0 0 10 10]', '')],
      });
    expect(failuresOf(widget('10 0 R')).rules).toContain('6-5-3-t04');
    expect(failuresOf(widget('<< /Off 10 0 R >>')).rules).not.toContain('6-5-3-t04');
  });

  it('requires the F flags of Popup annotations too (6.5.3, no PDF/A-2 exception)', () => {
    const popup = (f: string) => pdfa({ pageExtra: '/Annots [9 0 R]', extra: [`<< /Type /Annot /Subtype /Popup /Rect [0 0 10 10] ${f} >>`] });
    expect(failuresOf(popup('')).rules).toContain('6-5-3-t02');
    expect(failuresOf(popup('/F 4')).failures).toEqual([]);
  });

  it('checks the CharSet of a Type 1 subset embedded as CFF (6.3.5)', () => {
    const cff = nameKeyedCff(['A']);
    const notdef = (charSet: string) =>
      pdfa({
        resources: '/Font << /F1 9 0 R >>',
        content: 'BT /F1 12 Tf (A ) Tj ET',
        extra: [
          '<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Test /FirstChar 32 /LastChar 65 /Widths [' + Array(34).fill(500).join(' ') + '] /Encoding << /BaseEncoding /WinAnsiEncoding /Differences [32 /.notdef] >> /FontDescriptor 10 0 R >>',
          `<< /Type /FontDescriptor /FontName /ABCDEF+Test /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 700 /Descent -200 /CapHeight 700 /StemV 80 ${charSet} /FontFile3 11 0 R >>`,
          stream('/Subtype /Type1C', cff),
        ],
      });
    expect(failuresOf(notdef('/CharSet (/A)')).rules).toContain('6-3-5-t02');
    expect(failuresOf(notdef('/CharSet (/.notdef/A)')).rules).not.toContain('6-3-5-t02');
    const font = (charSet: string) =>
      pdfa({
        resources: '/Font << /F1 9 0 R >>',
        content: 'BT /F1 12 Tf (A) Tj ET',
        extra: [
          '<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Test /FirstChar 65 /LastChar 65 /Widths [500] /Encoding /WinAnsiEncoding /FontDescriptor 10 0 R >>',
          `<< /Type /FontDescriptor /FontName /ABCDEF+Test /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 700 /Descent -200 /CapHeight 700 /StemV 80 ${charSet} /FontFile3 11 0 R >>`,
          stream('/Subtype /Type1C', cff),
        ],
      });
    // PDF/A-1 as veraPDF reads it: every glyph shown must be listed (also .notdef when a
    // Differences entry makes a code show it); a CharSet listing more is not a failure.
    expect(failuresOf(font('/CharSet (/B)')).rules).toContain('6-3-5-t02');
    expect(failuresOf(font('')).rules).toContain('6-3-5-t02');
    expect(failuresOf(font('/CharSet (/A)')).rules).not.toContain('6-3-5-t02');
    expect(failuresOf(font('/CharSet (/A/B)')).rules).not.toContain('6-3-5-t02');
    // Glyph names beyond the 391 standard strings come from the font's own String INDEX.
    const own = failuresOf(
      pdfa({
        resources: '/Font << /F1 9 0 R >>',
        content: 'BT /F1 12 Tf (A) Tj ET',
        extra: [
          '<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Test /FirstChar 65 /LastChar 65 /Widths [500] /FontDescriptor 10 0 R >>',
          '<< /Type /FontDescriptor /FontName /ABCDEF+Test /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 700 /Descent -200 /CapHeight 700 /StemV 80 /CharSet (/A/uni04D8) /FontFile3 11 0 R >>',
          stream('/Subtype /Type1C', nameKeyedCff(['A', 'uni04D8'])),
        ],
      }),
    );
    expect(own.rules).not.toContain('6-3-5-t02');
  });

  it('compares the widths of a Type 1 font embedded as CFF with its Widths (6.3.6)', () => {
    // nameKeyedCff's charstrings carry no width: every glyph is defaultWidthX (0) wide.
    const font = (width: number) =>
      pdfa({
        resources: '/Font << /F1 9 0 R >>',
        content: 'BT /F1 12 Tf (A) Tj ET',
        extra: [
          `<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Test /FirstChar 65 /LastChar 65 /Widths [${width}] /Encoding /WinAnsiEncoding /FontDescriptor 10 0 R >>`,
          '<< /Type /FontDescriptor /FontName /ABCDEF+Test /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 700 /Descent -200 /CapHeight 700 /StemV 80 /CharSet (/A) /FontFile3 11 0 R >>',
          stream('/Subtype /Type1C', nameKeyedCff(['A'])),
        ],
      });
    expect(failuresOf(font(278)).rules).toContain('6-3-6-t01');
    expect(failuresOf(font(0)).failures).toEqual([]);
  });

  it('names unreadable input as such', () => {
    const r = validateBytes(Buffer.from('not a pdf at all'));
    expect(r.unreadable).toBe(true);
    expect(r.compliant).toBe(false);
    expect(r.failures[0]!.rule).toBe('unreadable');
  });
});

describe('PDF/A-1b font programs', () => {
  const t1Path = '/usr/share/fonts/type1/urw-base35/NimbusRoman-Italic.t1';
  const ttPath = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

  const type1 = (widthOfA: number, charSet = '/A') => {
    const program = readFileSync(t1Path);
    const eexec = program.indexOf('eexec') + 6;
    return pdfa({
      resources: '/Font << /F1 9 0 R >>',
      content: 'BT /F1 12 Tf (A) Tj ET',
      extra: [
        `<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+NimbusRoman-Italic /FirstChar 65 /LastChar 65 /Widths [${widthOfA}] /Encoding /WinAnsiEncoding /FontDescriptor 10 0 R >>`,
        `<< /Type /FontDescriptor /FontName /ABCDEF+NimbusRoman-Italic /Flags 96 /FontBBox [0 0 1000 1000] /ItalicAngle -15 /Ascent 700 /Descent -200 /CapHeight 650 /StemV 80 /CharSet (${charSet}) /FontFile 11 0 R >>`,
        stream(`/Length1 ${eexec} /Length2 ${program.length - eexec} /Length3 0`, program),
      ],
    });
  };

  it.skipIf(!existsSync(t1Path))('checks Type 1 widths and CharSet against the embedded program', () => {
    const ok = failuresOf(type1(611));
    expect(ok.rules).not.toContain('6-3-6-t01');
    expect(ok.rules).toContain('6-3-5-t02'); // the full font is embedded but the CharSet lists only /A
    expect(failuresOf(type1(500)).rules).toContain('6-3-6-t01');
  });

  const trueType = (width: number, encoding = '/Encoding /WinAnsiEncoding', flags = 32) =>
    pdfa({
      resources: '/Font << /F1 9 0 R >>',
      content: 'BT /F1 12 Tf (A) Tj ET',
      extra: [
        `<< /Type /Font /Subtype /TrueType /BaseFont /DejaVuSans /FirstChar 65 /LastChar 65 /Widths [${width}] ${encoding} /FontDescriptor 10 0 R >>`,
        `<< /Type /FontDescriptor /FontName /DejaVuSans /Flags ${flags} /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 700 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 11 0 R >>`,
        stream('', readFileSync(ttPath)),
      ],
    });

  it.skipIf(!existsSync(ttPath))('checks TrueType widths and encodings against the embedded program', () => {
    expect(failuresOf(trueType(684)).failures).toEqual([]);
    expect(failuresOf(trueType(600)).rules).toContain('6-3-6-t01');
    expect(failuresOf(trueType(684, '/Encoding /MacExpertEncoding')).rules).toContain('6-3-7-t01');
    expect(failuresOf(trueType(684, '/Encoding /WinAnsiEncoding', 4)).rules).toContain('6-3-7-t02');
  });
});

describe('PDF/A-1b Type 3 glyph procedures', () => {
  const type3 = (proc: string) =>
    pdfa({
      resources: '/Font << /T3 9 0 R >>',
      content: 'BT /T3 12 Tf (a) Tj ET',
      extra: [
        '<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /a 10 0 R >> /Encoding << /Type /Encoding /Differences [97 /a] >> /FirstChar 97 /LastChar 97 /Widths [500] >>',
        stream('', proc),
      ],
    });

  it('ignores colour operators in uncoloured (d1) glyphs, including inline image masks', () => {
    const r = failuresOf(type3('500 0 0 0 500 500 d1 0 0 0 1 k BI /W 1 /H 1 /IM true /BPC 1 ID \x80 EI 0 0 500 500 re f'));
    expect(r.failures).toEqual([]);
  });

  it('checks coloured (d0) glyphs like page content', () => {
    expect(failuresOf(type3('500 0 d0 0 0 0 1 k 0 0 500 500 re f')).rules).toContain('6-2-3-t03');
  });

  it('compares d0/d1 widths with the Widths array', () => {
    expect(failuresOf(type3('600 0 d0 0 0 1 rg 0 0 500 500 re f')).rules).toContain('6-3-6-t01');
  });
});

describe('PDF/A-1b CIDSet of CIDFont subsets (6.3.5, veraPDF 6-3-5-t03 for PDF/A-1)', () => {
  const hex = (cids: number[]) => `<${cids.map((c) => c.toString(16).padStart(4, '0')).join('')}>`;
  /** A Type 0 subset font (objects 9–12) showing `shown`, with a CIDSet listing `listed`. */
  const cidFont = (o: {
    shown: string;
    listed: number[] | null;
    program?: 'truetype' | 'cff';
    programBytes?: Buffer;
    encoding?: string;
    cidToGid?: string;
    extra?: (string | Buffer)[];
  }) => {
    const cff = o.program === 'cff';
    const descriptor = `<< /Type /FontDescriptor /FontName /ABCDEF+Test /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 ${cff ? '/FontFile3' : '/FontFile2'} 12 0 R${o.listed ? ' /CIDSet 13 0 R' : ''} >>`;
    const program = o.programBytes ?? (cff ? cidKeyedCff([1, 2, 3, 5, 7]) : trueTypeProgram(10));
    return pdfa({
      resources: '/Font << /F1 9 0 R >>',
      content: `BT /F1 12 Tf ${o.shown} Tj ET`,
      extra: [
        `<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Test /Encoding ${o.encoding ?? '/Identity-H'} /DescendantFonts [10 0 R] >>`,
        `<< /Type /Font /Subtype ${cff ? '/CIDFontType0' : '/CIDFontType2'} /BaseFont /ABCDEF+Test /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ${cff ? '' : `/CIDToGIDMap ${o.cidToGid ?? '/Identity'}`} /DW 1000 /FontDescriptor 11 0 R >>`,
        descriptor,
        stream(cff ? '/Subtype /CIDFontType0C' : `/Length1 ${program.length}`, program),
        stream('', cidSetBits(o.listed ?? [])),
        ...(o.extra ?? []),
      ],
    });
  };

  it('passes a CIDSet that omits CID 0 but lists every CID shown (Ghostscript -dPDFA=1)', () => {
    const r = failuresOf(cidFont({ shown: hex([1, 2, 3]), listed: [1, 2, 3] }));
    expect(r.failures).toEqual([]);
    expect(r.compliant).toBe(true);
  });

  it('does not ask for program CIDs the document never shows', () => {
    // The program has glyphs 0–9; only 1 and 2 are shown and listed.
    expect(failuresOf(cidFont({ shown: hex([1, 2]), listed: [1, 2] })).failures).toEqual([]);
    // CID 0 shown (.notdef) needs no bit either.
    expect(failuresOf(cidFont({ shown: hex([0, 1]), listed: [1] })).failures).toEqual([]);
  });

  it('fails a CIDSet missing a CID that is shown', () => {
    const r = failuresOf(cidFont({ shown: hex([1, 2, 3]), listed: [0, 1, 3] }));
    expect(r.compliant).toBe(false);
    const f = r.failures.find((x) => x.rule === '6-3-5-t03');
    expect(f?.clause).toBe('6.3.5');
    expect(f?.message).toContain('CID 2');
  });

  it('fails a subset without CIDSet and one whose program cannot be read', () => {
    expect(failuresOf(cidFont({ shown: hex([1]), listed: null })).rules).toContain('6-3-5-t03');
    expect(failuresOf(cidFont({ shown: hex([1]), listed: [1], programBytes: Buffer.from('not a font program') })).rules).toContain('6-3-5-t03');
  });

  it('ignores shown CIDs the program does not define (beyond numGlyphs)', () => {
    // CID 12 is past the 10 glyphs of the program: a missing glyph, not a CIDSet matter.
    expect(failuresOf(cidFont({ shown: hex([1, 12]), listed: [1] })).rules).not.toContain('6-3-5-t03');
  });

  it('maps CIDs through a CIDToGIDMap stream', () => {
    // CID 1 → GID 3, CID 2 → GID 40 (not in the program), CID 3 → GID 0.
    const map = stream('', Buffer.from([0, 0, 0, 3, 0, 40, 0, 0]));
    expect(failuresOf(cidFont({ shown: hex([1, 2]), listed: [1], cidToGid: '14 0 R', extra: [map] })).rules).not.toContain('6-3-5-t03');
    // CID 3 is covered by the map (to GID 0), so veraPDF counts it as present in the program.
    expect(failuresOf(cidFont({ shown: hex([1, 3]), listed: [1], cidToGid: '14 0 R', extra: [map] })).rules).toContain('6-3-5-t03');
  });

  it('checks CID-keyed CFF programs by their charset', () => {
    // The charset holds CIDs 1, 2, 3, 5, 7.
    expect(failuresOf(cidFont({ program: 'cff', shown: hex([1, 5, 7]), listed: [1, 5, 7] })).failures).toEqual([]);
    const r = failuresOf(cidFont({ program: 'cff', shown: hex([1, 5, 7]), listed: [1, 5] }));
    expect(r.failures.find((x) => x.rule === '6-3-5-t03')?.message).toContain('CID 7');
    // CID 4 is not in the charset, so its missing bit is not this rule's business.
    expect(failuresOf(cidFont({ program: 'cff', shown: hex([1, 4]), listed: [1] })).rules).not.toContain('6-3-5-t03');
  });

  it('maps codes to CIDs through an embedded CMap', () => {
    const cmap = stream(
      '/Type /CMap /CMapName /Test-H /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /WMode 0',
      '/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test-H def /WMode 0 def\n' +
        '1 begincodespacerange <00> <ff> endcodespacerange\n1 begincidrange <41> <43> 1 endcidrange\n1 begincidchar <61> 7 endcidchar\nendcmap end end',
    );
    // (AB) → CIDs 1, 2; (a) → CID 7.
    expect(failuresOf(cidFont({ shown: '(AB)', listed: [1, 2], encoding: '14 0 R', extra: [cmap] })).failures).toEqual([]);
    const r = failuresOf(cidFont({ shown: '(ABa)', listed: [1, 2], encoding: '14 0 R', extra: [cmap] }));
    expect(r.failures.find((x) => x.rule === '6-3-5-t03')?.message).toContain('CID 7');
  });

  it('splits strings by mixed one- and two-byte codespace ranges', () => {
    const cmap = stream(
      '/Type /CMap /CMapName /Mixed-H /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /WMode 0',
      '2 begincodespacerange <00> <7f> <8000> <ffff> endcodespacerange\n2 begincidrange <41> <42> 1 <8000> <8010> 5 endcidrange',
    );
    // <41 8001 42> is A (CID 1), 8001 (CID 6), B (CID 2); read as two-byte pairs it would be 4180 and 0142.
    const shown = '<41800142>';
    expect(failuresOf(cidFont({ shown, listed: [1, 2, 6], encoding: '14 0 R', extra: [cmap] })).failures).toEqual([]);
    const r = failuresOf(cidFont({ shown, listed: [1, 2], encoding: '14 0 R', extra: [cmap] }));
    expect(r.failures.find((x) => x.rule === '6-3-5-t03')?.message).toContain('CID 6');
  });
});
