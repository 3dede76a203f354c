/**
 * dependency-cruiser checks what ESLint's import-x/no-cycle cannot: cycles through type-only
 * imports (it skips them). `npm run lint` runs it over src/ and dev/; a cycle of any kind fails.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'No import cycles, type-only ones included: split the shared types out.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Type-only imports count: they are what the compiler sees, and a cycle of them is a tangle too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.node.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|node_modules)/' },
  },
};
