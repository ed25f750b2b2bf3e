// The rules the code already follows, so `npm run lint` holds the line
// without rewriting anything: ESLint's and typescript-eslint's recommended
// sets (syntax only: no type information, so the lint stays fast) less the
// few rules the code breaks on purpose, and the layout of the code as written
// (quotes, semicolons, indentation, spacing), checked by @stylistic rules
// rather than by a formatter's full rewrite (see docs/architecture.md).
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tools/', 'test/fixtures/', 'dashboards/grafana/*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    plugins: { '@stylistic': stylistic },
    rules: {
      // Parsers and sanitizers match NUL and other control characters on purpose.
      'no-control-regex': 'off',
      // Optional modules (pg, the agent's start) are required lazily, where they are needed.
      '@typescript-eslint/no-require-imports': 'off',
      // A leading underscore marks a parameter an interface requires and the code does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'preserve-caught-error': 'off',
      'no-useless-assignment': 'off',
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, ignoredNodes: ['ConditionalExpression *', 'TSUnionType', 'TSIntersectionType'] }],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/eol-last': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxEOF: 0 }],
      '@stylistic/arrow-parens': ['error', 'always'],
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/comma-spacing': 'error',
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/no-tabs': 'error',
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // Patches forward `this` and `arguments` exactly as the library passed them; V8's stack API takes a Function.
    files: ['instrumentations/**/*.ts'],
    rules: {
      '@typescript-eslint/no-this-alias': 'off',
      'prefer-rest-params': 'off',
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
);
