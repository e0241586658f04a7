// Conversion to PDF/A-1b, reproducibility check, container expansion and the PDF/A writer
// (docs/CONTRACTS.md, "Conversion").
export { createConverter, type CheckSlot, type Converter, type ConversionResult, type ConversionProblem, type ActiveContent, type ExtractedFile, type RenditionChecks } from './converter';
export { conversionNotes, conversionNoteText, type ConversionNote } from './notes';
export { compareTexts, type TextComparison } from './text-compare';
export { inspectPdf, preparePdf, extractEmbeddedFiles, type PdfInspection } from './pdf-prepare';
export { checkReproducibility, type ReproducibilityReport } from './reproducibility';
export { expandContainer, safeEntryPath, DEFAULT_CONTAINER_LIMITS, type ContainerLimits } from './container';
export { renderPdfA, textToPdfA, wrapText, type PdfBlock, type PdfaDocumentSpec } from './layout';
export { imageToPdfA } from './images';
export { pdfaFilter, officeFamily, type OfficeFamily } from './office';
