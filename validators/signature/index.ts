// Signature verification and signing (docs/CONTRACTS.md "Signatures").
export type {
  SignatureVerdict, SignatureCheck, SignerInfo, SignerReport, SignatureReport, VerifySignatureInput, TrustMaterial,
  VerifyCertificateInput, CertificateReport,
} from './types';
export { verifySignature, verifyCertificate, signerInfoOf, signatureReportToJson } from './verify.service';
export { signDetached, type SignOptions } from './sign.service';
export { loadPkcs12, type Pkcs12Contents } from './pkcs12';
export { loadTrustStore, type TrustStore } from './trust-store';
export { readCertificate, type CertificateDetails } from './certificate';
