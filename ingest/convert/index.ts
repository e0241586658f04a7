// Conversion to PDF/A-1b, reproducibility check, container expansion and the PDF/A writer
// (docs/CONTRACTS.md, "Conversion").
export { createConverter, type Converter, type ConversionResult, type ConversionProblem } from './converter';
export { checkReproducibility, type ReproducibilityReport } from './reproducibility';
export { expandContainer, safeEntryPath, DEFAULT_CONTAINER_LIMITS, type ContainerLimits } from './container';
export { renderPdfA, textToPdfA, wrapText, type PdfBlock, type PdfaDocumentSpec } from './layout';
export { imageToPdfA } from './images';
export { pdfaFilter, officeFamily, type OfficeFamily } from './office';
