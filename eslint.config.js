// One lint config for the whole workspace: typescript-eslint's recommended rules, no type-aware
// rules (they would double the test time), and Prettier owns formatting.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'bench/results/**', 'docs/api/**', '**/.prisma-*/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // kysely over a schema named at run time (`Kysely<any>`) and parsed JSON in tests are `any` on purpose.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  // The portal's web UI runs in the browser, as plain ES modules.
  { files: ['packages/portal/assets/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
)
