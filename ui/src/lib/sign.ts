// Signing in the browser: the person's PKCS#12 key and its password stay on their machine;
// only the detached CMS goes to the server. Uses the same signDetached as the server side
// (pkijs + WebCrypto, no Node built-ins in its import graph — see sign.browser.test.ts).
// RSA and ECDSA keys sign through WebCrypto; NCA RK GOST keys (GOST 34.10-2015 512-bit,
// GOST 34.310-2004) and Russian GOST R 34.10 keys sign through validators/signature/gost.ts,
// which this bundle carries, so a department head signs with either kind of .p12 the same way.
import { signDetached } from '../../../validators/signature/sign.service';
import { ApiError } from './api';

export type SignatureKind = 'inventory' | 'integrity';

/** The exact bytes the signature of this kind covers, as the server will verify them. */
export async function fetchSigningContent(dossierId: string, kind: SignatureKind, lang: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(`/api/dossiers/${encodeURIComponent(dossierId)}/signing-content?kind=${kind}&lang=${lang}`, { credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError(0, 'network', (error as Error).message, null, null);
  }
  if (!response.ok) {
    throw ApiError.fromAnswer(response.status, response.statusText, await response.json().catch(() => null), response.headers.get('x-request-id'));
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Signs with an RSA, ECDSA or GOST key from a .p12/.pfx file (NCA RK keys included). */
export async function signWithPkcs12(content: Uint8Array, p12: File, password: string): Promise<Uint8Array> {
  return signDetached(content, new Uint8Array(await p12.arrayBuffer()), password);
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A CMS file made elsewhere (NCALayer): DER as is, or PEM / base64 text. */
export async function readCmsFile(file: File): Promise<Uint8Array> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // DER starts with a SEQUENCE tag (0x30); anything else is treated as text.
  if (bytes[0] === 0x30) return bytes;
  const text = new TextDecoder().decode(bytes).replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
