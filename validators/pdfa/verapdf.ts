// veraPDF as an optional second engine: runs `verapdf --format mrr --flavour 1b` and reads its
// machine-readable report into the same failure shape as the built-in checker.
import { findTool, runTool, toolVersion, ToolMissingError } from '../../common/process';
import { parseXml, type XmlElement } from './xml';
import type { PdfaFailure } from './types';

export interface VeraPdfResult {
  compliant: boolean;
  unreadable: boolean;
  failures: PdfaFailure[];
}

export async function veraPdfAvailable(): Promise<boolean> {
  return (await findTool('verapdf')) !== null;
}

export function veraPdfVersion(): Promise<string | null> {
  return toolVersion('verapdf', ['--version']);
}

export async function runVeraPdf(file: string, timeoutMs = 120_000): Promise<VeraPdfResult> {
  if (!(await veraPdfAvailable())) throw new ToolMissingError('verapdf');
  const r = await runTool('verapdf', ['--format', 'mrr', '--flavour', '1b', file], { timeoutMs });
  if (r.timedOut) return unreadableResult('veraPDF timed out');
  // veraPDF exits non-zero when a file does not comply; only a missing report is an error.
  const text = r.stdout.toString('utf8');
  if (!text.includes('<')) return unreadableResult(r.stderr.trim().slice(0, 300) || `exit code ${r.code}`);
  return parseMrr(text);
}

function unreadableResult(detail: string): VeraPdfResult {
  return { compliant: false, unreadable: true, failures: [{ clause: '6.1', rule: 'unreadable', message: detail }] };
}

function children(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}
function descendant(el: XmlElement, local: string, depth = 0): XmlElement | undefined {
  if (el.local === local) return el;
  if (depth > 8) return undefined;
  for (const c of el.children) {
    const f = descendant(c, local, depth + 1);
    if (f) return f;
  }
  return undefined;
}
function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.find((a) => a.local === name)?.value;
}

/** Reads a veraPDF machine-readable report (one job). */
export function parseMrr(xml: string): VeraPdfResult {
  let root: XmlElement;
  try {
    root = parseXml(xml.slice(xml.indexOf('<')));
  } catch (error) {
    return unreadableResult(`unparsable veraPDF report: ${(error as Error).message}`);
  }
  const report = descendant(root, 'validationReport');
  if (!report) {
    const exception = descendant(root, 'taskException') ?? descendant(root, 'exceptionMessage');
    return unreadableResult(exception ? textOf(exception).slice(0, 300) : 'no validationReport in veraPDF output');
  }
  const failures: PdfaFailure[] = [];
  const details = descendant(report, 'details');
  for (const rule of details ? children(details, 'rule') : []) {
    if (attr(rule, 'status') !== 'failed') continue;
    const clause = attr(rule, 'clause') ?? '';
    const test = attr(rule, 'testNumber') ?? '0';
    const description = textOf(children(rule, 'description')[0]).trim();
    const check = children(rule, 'check').find((c) => attr(c, 'status') === 'failed');
    const context = check ? textOf(children(check, 'context')[0]).trim() : '';
    const message = check ? textOf(children(check, 'errorMessage')[0]).trim() : '';
    const failure: PdfaFailure = {
      clause,
      rule: `${clause.replace(/\./g, '-')}-t${test.padStart(2, '0')}`,
      message: message || description,
    };
    if (context) failure.location = context;
    failures.push(failure);
  }
  const compliantAttr = attr(report, 'isCompliant');
  const compliant = compliantAttr !== undefined ? compliantAttr === 'true' : failures.length === 0;
  return { compliant, unreadable: false, failures };
}

function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  return el.text + el.children.map((c) => textOf(c)).join('');
}
