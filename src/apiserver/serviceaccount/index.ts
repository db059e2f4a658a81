// Service account tokens: the signing key, the issuer, validation and issuer discovery.

export {
  loadOrCreateServiceAccountKey,
  keyIDFromPublicKey,
  verificationKey,
  algorithmFor,
  ServiceAccountKeyError,
  SERVICE_ACCOUNT_KEY_FILE,
  SERVICE_ACCOUNT_PUB_FILE,
  type ServiceAccountKey,
  type VerificationKey,
  type SigningAlgorithm,
  type LoadKeyOptions,
} from './keys.js';
export {
  DEFAULT_ISSUER,
  LEGACY_ISSUER,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
  EXPIRATION_EXTENSION_SECONDS,
  makeUsername,
  splitUsername,
  userInfoFor,
  credentialIDForJTI,
  type ServiceAccountInfo,
  type BoundTokenClaims,
  type LegacyTokenClaims,
} from './claims.js';
export { TokenIssuer, type TokenIssuerOptions, type BoundTokenRequest } from './issuer.js';
export { TokenValidator, InvalidTokenError, LEGACY_TOKEN_INVALID_SINCE_LABEL, type TokenValidatorOptions } from './validator.js';
export { storeTokenGetter, getFromStore, type ServiceAccountTokenGetter, type StoreTokenGetterOptions } from './getters.js';
export { OpenIDMetadata, OPENID_CONFIG_PATH, JWKS_PATH, type OpenIDMetadataOptions, type MetadataResponse } from './openid-metadata.js';
