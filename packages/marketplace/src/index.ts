export type { KeyInput, PublisherKeyPair } from './keys.js';
export { generatePublisherKeyPair, keyIdOf, publicKeyPem, toPrivateKey, toPublicKey } from './keys.js';
export type {
  CapabilityView,
  HighRiskDecision,
  HighRiskRequest,
  InstallationView,
  InstalledPlugin,
  Marketplace,
  MarketplaceOptions,
  PluginDetail,
  PluginSummary,
  VersionSummary,
} from './marketplace.js';
export { createMarketplace } from './marketplace.js';
export { createMemoryMarketplaceStore } from './memory-store.js';
export type {
  Moderation,
  ModerationDeps,
  ModerationItem,
  ModerationQueue,
  ModerationResolution,
} from './moderation.js';
export { createModeration } from './moderation.js';
export type { PackageSignature, PluginPackage, SignedPluginPackage } from './package.js';
export {
  assertPackageShape,
  decodePackage,
  encodePackage,
  fileBytes,
  isSafePackagePath,
  PACKAGE_LIMITS,
  PackageSignatureSchema,
  SIGNATURE_FORMAT,
} from './package.js';
export { packTarball, readPackage, unpackTarball, writePackageDir } from './package-io.js';
export type { RatingPolicy, RatingSummary } from './rating.js';
export { DEFAULT_RATING_POLICY, weightedRating } from './rating.js';
export { riskLevel } from './risk.js';
export type {
  EmbeddingProvider,
  RankingWeights,
  SearchDocument,
  SearchHit,
  SearchIndex,
  SearchIndexOptions,
  SearchQuery,
} from './search.js';
export { createSearchIndex } from './search.js';
export type {
  KeyResolver,
  ResolvedKey,
  SignatureFailure,
  VerifiedPackage,
  VerifyPackageOptions,
} from './signing.js';
export { signPluginPackage, verifyPluginPackage, verifyPluginPackageDetails } from './signing.js';
export type { TrustStore } from './trust-store.js';
export { createTrustStore } from './trust-store.js';
