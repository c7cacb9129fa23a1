// ESLint flat config: typescript-eslint's type-checked recommended rules for all TypeScript (through the
// project service, so tsconfig.json decides what is type-checked), plain recommended rules for the
// browser scripts in public/ and the JS config files, and eslint-config-prettier last (Prettier formats).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', '.data/', 'test/generated/', 'examples/generated/']),
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed parameters and destructured leftovers are deliberate (signatures, omitting keys).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Off: an `async` method without `await` is how this code implements Promise-returning interfaces (fakes, stores,
      // hooks); no-floating-promises and no-misused-promises still catch the mistakes that matter.
      '@typescript-eslint/require-await': 'off',
      // Inherited methods not checked: EventBus implements TypeGraphQL's PubSub (publish(): void) returning a Promise so our
      // services can await delivery; TypeGraphQL itself never calls publish here. Other void-return checks stay on.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { inheritedMethods: false } }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Off in tests and benchmarks only: rows of raw SQL (pg's QueryResultRow) and raw HTTP/SSE bodies are untyped by
      // nature and checked by jest matchers; GraphQL results there are typed through codegen (t.op).
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // The admin console: plain ES modules in the browser, no build step.
    files: ['public/admin/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: globals.browser },
  },
  {
    // The explorer: a classic script over the vendor bundles' globals.
    files: ['public/explorer/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'script',
      globals: { ...globals.browser, React: 'readonly', ReactDOM: 'readonly', GraphiQL: 'readonly', graphqlWs: 'readonly' },
    },
  },
  {
    files: ['*.js', '*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  { files: ['*.js'], languageOptions: { sourceType: 'commonjs' } },
  prettier,
);
