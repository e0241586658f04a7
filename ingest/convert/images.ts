// Raster images to PDF/A-1b. PDF/A-1 forbids transparency, so alpha is composited onto white
// and images are written as plain DeviceRGB (or the original baseline JPEG when it is RGB/grey,
// to avoid recompressing it). TIFF (all pages) and GIF (first frame) are decoded in pure JS.
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { GifReader } from 'omggif';
import UTIF from 'utif';
import {
  PDFName,
  pushGraphicsState,
  popGraphicsState,
  concatTransformationMatrix,
  drawObject,
  type PDFPage,
  type PDFRef,
} from 'pdf-lib';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { A4, createPdfaBase, savePdfA } from './pdfa-writer';

const deflateAsync = promisify(deflate);

export class ImageDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

interface Raster { width: number; height: number; rgb: Uint8Array }

const MAX_PIXELS = 120_000_000; // ~360 MB of RGB; beyond that a scan is implausible or hostile

function checkSize(width: number, height: number): void {
  if (!width || !height) throw new ImageDecodeError('image has no pixels');
  if (width * height > MAX_PIXELS) throw new ImageDecodeError(`image is ${width}×${height} pixels, more than ${MAX_PIXELS}`);
}

function rgbaToRgb(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; o < out.length; i += 4, o += 3) {
    const a = rgba[i + 3]!;
    if (a === 255) {
      out[o] = rgba[i]!; out[o + 1] = rgba[i + 1]!; out[o + 2] = rgba[i + 2]!;
    } else {
      // Composite onto white paper.
      out[o] = (rgba[i]! * a + 255 * (255 - a)) / 255;
      out[o + 1] = (rgba[i + 1]! * a + 255 * (255 - a)) / 255;
      out[o + 2] = (rgba[i + 2]! * a + 255 * (255 - a)) / 255;
    }
  }
  return out;
}

function decodePng(data: Buffer): Raster[] {
  const png = PNG.sync.read(data);
  checkSize(png.width, png.height);
  return [{ width: png.width, height: png.height, rgb: rgbaToRgb(png.data, png.width, png.height) }];
}

function decodeGif(data: Buffer): Raster[] {
  const reader = new GifReader(data);
  checkSize(reader.width, reader.height);
  const rgba = new Uint8Array(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(0, rgba);
  return [{ width: reader.width, height: reader.height, rgb: rgbaToRgb(rgba, reader.width, reader.height) }];
}

function decodeTiff(data: Buffer): Raster[] {
  const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const ifds = UTIF.decode(ab);
  const pages: Raster[] = [];
  for (const ifd of ifds) {
    UTIF.decodeImage(ab, ifd);
    const width = ifd.width as number;
    const height = ifd.height as number;
    if (!width || !height) continue; // thumbnails/EXIF sub-IFDs without image data
    checkSize(width, height);
    const rgba = UTIF.toRGBA8(ifd);
    pages.push({ width, height, rgb: rgbaToRgb(rgba, width, height) });
  }
  if (!pages.length) throw new ImageDecodeError('TIFF holds no decodable page');
  return pages;
}

function decodeJpegToRaster(data: Buffer): Raster[] {
  const img = jpeg.decode(data, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: 120 });
  checkSize(img.width, img.height);
  return [{ width: img.width, height: img.height, rgb: rgbaToRgb(img.data, img.width, img.height) }];
}

/** Number of colour components of a JPEG from its SOF marker (1 grey, 3 YCbCr/RGB, 4 CMYK). */
function jpegComponents(data: Buffer): number | null {
  for (let p = 2; p + 9 < data.length; ) {
    if (data[p] !== 0xff) return null;
    const marker = data[p + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { p += 2; continue; }
    const len = data.readUInt16BE(p + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return data[p + 9]!;
    p += 2 + len;
  }
  return null;
}

function placeOnPage(page: PDFPage, name: string, width: number, height: number): void {
  // Fit within A4 margins (10 mm), preserving aspect ratio, never enlarging beyond 72 dpi size.
  const margin = 28.35;
  const maxW = page.getWidth() - 2 * margin;
  const maxH = page.getHeight() - 2 * margin;
  const scale = Math.min(maxW / width, maxH / height);
  const w = width * scale;
  const h = height * scale;
  const x = (page.getWidth() - w) / 2;
  const y = (page.getHeight() - h) / 2;
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(w, 0, 0, h, x, y),
    drawObject(name),
    popGraphicsState(),
  );
}

function pageFor(doc: Awaited<ReturnType<typeof createPdfaBase>>, width: number, height: number): PDFPage {
  return width > height ? doc.addPage([A4.height, A4.width]) : doc.addPage([A4.width, A4.height]);
}

/** Converts JPEG, PNG, TIFF or GIF bytes to a PDF/A-1b document, one page per image page. */
export async function imageToPdfA(kind: 'JPEG' | 'PNG' | 'TIFF' | 'GIF', data: Buffer, meta: { title: string; date?: Date }): Promise<Uint8Array> {
  // No fonts: an image page has no text, and embedding unused fonts cost more than the image.
  const doc = await createPdfaBase();
  let rasters: Raster[];
  try {
    if (kind === 'JPEG') {
      const components = jpegComponents(data);
      if (components === 1 || components === 3) {
        // Keep the original JPEG stream: no generation loss.
        const image = await doc.embedJpg(data);
        const page = pageFor(doc, image.width, image.height);
        const scale = Math.min((page.getWidth() - 56.7) / image.width, (page.getHeight() - 56.7) / image.height);
        page.drawImage(image, {
          x: (page.getWidth() - image.width * scale) / 2,
          y: (page.getHeight() - image.height * scale) / 2,
          width: image.width * scale,
          height: image.height * scale,
        });
        return savePdfA(doc, meta);
      }
      // CMYK/YCCK JPEG would need DeviceCMYK, which an sRGB OutputIntent does not allow.
      rasters = decodeJpegToRaster(data);
    } else if (kind === 'PNG') rasters = decodePng(data);
    else if (kind === 'GIF') rasters = decodeGif(data);
    else rasters = decodeTiff(data);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    throw new ImageDecodeError(error instanceof Error ? error.message : String(error));
  }
  for (const [i, r] of rasters.entries()) {
    // Node's zlib instead of pdf-lib's flateStream (pako, JavaScript on this thread): several
    // times faster, and it runs on the thread pool. Same filter, same decoded pixels.
    const ref: PDFRef = doc.context.register(
      doc.context.stream(await deflateAsync(r.rgb), {
        Type: 'XObject',
        Subtype: 'Image',
        Width: r.width,
        Height: r.height,
        ColorSpace: 'DeviceRGB',
        BitsPerComponent: 8,
        Filter: 'FlateDecode',
      }),
    );
    const page = pageFor(doc, r.width, r.height);
    const name = `Im${i}`;
    page.node.setXObject(PDFName.of(name), ref);
    placeOnPage(page, name, r.width, r.height);
  }
  return savePdfA(doc, meta);
}
