// The native-code rule lives in lib/analysis/native-code.ts (one pattern for the scope check,
// `scopes suggest` and the analyzer); re-exported here for the scope modules that import it.

export { isNativeCode, nativeCodeFiles } from '../analysis/native-code.ts';
