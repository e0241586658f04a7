// Type declarations for the parts of `utif` (TIFF decoder, no bundled types) that we use.
declare module 'utif' {
  export interface IFD { width?: number; height?: number; [tag: string]: unknown }
  export function decode(buffer: ArrayBuffer): IFD[];
  export function decodeImage(buffer: ArrayBuffer, ifd: IFD): void;
  export function toRGBA8(ifd: IFD): Uint8Array;
  export function encodeImage(rgba: ArrayBuffer, width: number, height: number, metadata?: Record<string, unknown>): ArrayBuffer;
  const UTIF: { decode: typeof decode; decodeImage: typeof decodeImage; toRGBA8: typeof toRGBA8; encodeImage: typeof encodeImage };
  export default UTIF;
}
