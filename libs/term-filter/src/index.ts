export { TermFilter, buildTermFilter } from './term-filter.js';
export type { CheckResult, TermAction, TermFilterOptions, TermMatch, TermRule } from './term-filter.js';
export { normalize, normalizeTerm, warmUp } from './normalize.js';
export type { NormalizedText } from './normalize.js';
