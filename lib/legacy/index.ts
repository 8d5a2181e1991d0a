// Legacy MCPB_SIG_V1 / DXT_SIG_V1 PKCS#7 blocks: read, verify, sign.

export { readLegacyBlock } from './read.ts';
export type { LegacyBlock, LegacyLayout } from './read.ts';
export { verifyLegacySignature, legacyStatusOf } from './verify.ts';
export type { LegacyStatus, LegacyVerification, LegacyVerifyOptions } from './verify.ts';
export { signLegacy } from './sign.ts';
export type { LegacySignOptions, LegacySignResult } from './sign.ts';
export type { LegacyCertificateInfo } from './certificate.ts';
