/**
 * ESLint for the whole tree (`npm run lint`, part of `npm test`): typescript-eslint with type
 * information, and the boundaries between flxra's programs, so that a wrong import fails the
 * build instead of waiting for a review:
 * - only the Electron glue (src/main/index.ts, src/main/preload/) imports `electron`;
 * - the pages (src/renderer/, src/relay/console/web/) import nothing from Node, nor from the
 *   main process, the relay, the agent or the platform code; only src/shared/;
 * - the relay imports nothing from the app, its pages, the agent or the platform code;
 * - the app (src/main/) and the agent (src/agent/) do not import each other; both use
 *   src/platform/ (the device's OS) and src/shared/ (the contracts);
 * - src/shared/ imports only itself, and nothing from Node (the pages import it);
 * - nothing in src/ imports the development tools (dev/) or the tests;
 * Import cycles, type-only ones included, are dependency-cruiser's to find (.dependency-cruiser.cjs):
 * import-x's no-cycle skips type imports. test/lint/boundaries.test.ts proves both refuse what they
 * should.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ELECTRON_GLUE = ['src/main/index.ts', 'src/main/preload/**'];
const PAGES = ['src/renderer/**', 'src/relay/console/web/**'];
const BUILD_CONFIGS = [
  'src/renderer/vite.config.ts',
  'src/renderer/browser/vite.config.ts',
  'src/relay/console/web/vite.config.ts',
];

/** `from` folders a `target` folder may not import, as import-x's no-restricted-paths zones. */
const zone = (target, from, message, except = []) => ({ target, from, message, except });
const boundaries = [
  zone('./src/relay', './src/main', 'the relay does not import the Electron app'),
  zone('./src/relay', './src/renderer', "the relay does not import the app's pages"),
  zone('./src/relay', './src/agent', 'the relay does not import the device agent'),
  zone('./src/relay', './src/platform', "the relay does not import the device's platform code"),
  zone('./src/main', './src/agent', 'the app does not import the agent: share through src/platform or src/shared'),
  zone('./src/main', './src/relay', 'the app does not import the relay: its contract is in src/shared'),
  zone('./src/main', './src/renderer', 'main does not import renderer code: the contract is in src/shared'),
  zone('./src/agent', './src/main', 'the agent does not import the app: share through src/platform or src/shared'),
  zone('./src/agent', './src/relay', 'the agent does not import the relay: its contract is in src/shared'),
  zone('./src/agent', './src/renderer', "the agent does not import the app's pages"),
  zone('./src/platform', './src/main', 'platform code serves the app and the agent: it imports neither'),
  zone('./src/platform', './src/agent', 'platform code serves the app and the agent: it imports neither'),
  zone('./src/platform', './src/relay', 'platform code does not import the relay'),
  zone('./src/platform', './src/renderer', 'platform code does not import the pages'),
  zone('./src/renderer', './src', 'the pages import only src/shared (and their own folder)', [
    './renderer',
    './shared',
  ]),
  zone('./src/relay/console/web', './src', 'the console page imports only src/shared (and its own folder)', [
    './relay/console/web',
    './shared',
  ]),
  zone('./src/shared', './src', 'src/shared holds contracts only: it imports nothing outside itself', ['./shared']),
  zone('./src', './dev', 'product code does not import the development tools in dev/'),
  zone('./src', './test', 'product code does not import the tests'),
  zone('./scripts', './test', 'scripts do not import the tests: shared rig code lives in dev/'),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'demo-output/',
      'test-results/',
      '.flxra-relay/',
      'test/platform/fixtures/',
      'test/lint/fixtures/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: ['tsconfig.node.json', 'tsconfig.web.json'],
          noWarnOnMultipleProjects: true,
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: boundaries }],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'only src/main/index.ts and the preload import electron' }] },
      ],
      // An async function without await is how an implementation of a Promise-returning
      // interface turns a throw into a rejection: that is wanted, not a slip.
      '@typescript-eslint/require-await': 'off',
      // Unused parameters and destructured leftovers are named with a leading underscore.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  { files: ELECTRON_GLUE, rules: { 'no-restricted-imports': 'off' } },
  {
    // node:test's test() and describe() return promises the runner itself awaits.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    files: PAGES,
    ignores: BUILD_CONFIGS,
    rules: { 'import-x/no-nodejs-modules': ['error'] },
  },
  { files: ['src/shared/**'], rules: { 'import-x/no-nodejs-modules': ['error'] } },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  prettier,
  {
    // Prettier wraps code at 120; what it cannot wrap (comments) is held to the same width.
    rules: {
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
    },
  },
);
