export * from './signature';
export { validatePdfA, type PdfaEngine, type PdfaFailure, type PdfaReport } from './pdfa';
