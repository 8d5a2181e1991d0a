// Lint: the checks the compiler does not make. Type-aware rules run on typescript-eslint's
// TypeScript 6 API (the `typescript` package is the @typescript/typescript6 shim; TypeScript 7,
// which has no compiler API until 7.1, builds the code as `@typescript/native`). The style is
// the compiler's (strict, verbatimModuleSyntax): no formatting rules here.
import tseslint from 'typescript-eslint';

/** The security core, where no function may grow past about 80 lines (STYLE.md, issue 8). */
const CORE = ['lib/archive/**/*.ts', 'lib/policy/**/*.ts', 'lib/sigstore/**/*.ts', 'lib/legacy/**/*.ts', 'lib/manifest/**/*.ts', 'lib/scopes/**/*.ts', 'lib/analysis/**/*.ts', 'lib/registry/**/*.ts', 'lib/install/**/*.ts', 'lib/launch/**/*.ts', 'lib/audit/**/*.ts'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/.work/', 'lib/manifest/generated/', 'lib/registry/generated/'] },
  {
    files: ['lib/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      // One program for everything: test/tsconfig.json includes lib, test, bench and examples.
      parserOptions: { project: './test/tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Dead code: unused imports, locals and parameters (a leading _ marks one kept on purpose).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // A promise nobody awaits loses its rejection: cleanup that never ran, an error never reported.
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise where a boolean or a void callback is expected is always truthy / never awaited.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      // Every code of a union handled where a switch claims to handle them all.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Errors are MCPSealError (or at least Error) so they carry a stack and a code.
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      // Not enabled: consistent-type-imports (verbatimModuleSyntax already makes tsc require
      // `import type`), the no-unsafe-* family (the code has no `any`; tests use it for parsed JSON).
    },
  },
  {
    files: CORE,
    rules: {
      // A function that long does several jobs: split it into named steps (issue 8 item 2).
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
);
