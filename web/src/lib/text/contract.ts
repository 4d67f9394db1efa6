// The contract's text rules that the app needs at run time, copied so the main bundle does not carry the contract's
// schemas (zod, ~27 kB gzipped) for three constants; test/contract.test.ts checks they are still the contract's own.
export const MENTION_PATTERN = /@\[([^\]\n]{1,64})\]\(([0-9a-fA-F-]{36}|all)\)/g;
export const MENTION_ALL = 'all';
export const REPLY_PREVIEW_LENGTH = 120;
