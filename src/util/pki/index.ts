export { createCA, issueCertificate } from './certificates.js';
export type { CAOptions, CertificateAndKey, CertificateOptions, CertificateUsage } from './certificates.js';
export {
  CA_VALIDITY_DAYS,
  DEFAULT_KUBERNETES_SERVICE_IP,
  LEAF_VALIDITY_DAYS,
  PKIError,
  PKI_FILES,
  RENEW_BEFORE_DAYS,
  defaultServingSANs,
  loadOrCreatePKI,
} from './store.js';
export type { PKI, PKIName, PKIOptions } from './store.js';
export { userFromCertificate } from './user.js';
export type { CertificateUser } from './user.js';
