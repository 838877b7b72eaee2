import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist', '**/node_modules', '.medgenie', '.nx', 'tmp', 'coverage'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(query|execute)$/] > TemplateLiteral[expressions.length>0]",
          message: 'Bind parameters instead of building SQL by interpolation.',
        },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Tiers of the platform: the region's code (the regional API and what only it uses, such as
            // the blob store) never reaches into the control plane or the gateway, nor they into it.
            { sourceTag: 'scope:region', onlyDependOnLibsWithTags: ['scope:region', 'scope:shared'] },
            { sourceTag: 'scope:control-plane', onlyDependOnLibsWithTags: ['scope:control-plane', 'scope:shared'] },
            { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:gateway', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // The console runs in the browser and talks to the control plane over HTTP only.
            { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Black-box tests drive the built apps as processes and import only shared libs.
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Layers: apps use libs; a lib never imports an app; utilities depend on nothing heavier.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:testing'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:data-access', 'type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
          ],
        },
      ],
    },
  },
  {
    // One way to the database (issue 11): in the apps, only repositories (`*.repository.ts`) hold
    // SQL and the handle that runs it; services state rules and call repositories. The database
    // module wires the pool, and migrations own the schema.
    files: ['apps/regional-api/src/**/*.ts', 'apps/control-plane/src/**/*.ts'],
    ignores: ['**/*.repository.ts', '**/database/**', '**/migrations/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'typeorm', importNames: ['DataSource', 'EntityManager', 'QueryRunner', 'Repository'], message: 'Only *.repository.ts files reach the database.' },
            { name: 'pg', message: 'Only *.repository.ts files reach the database.' },
            { name: '@medgenie/database', importNames: ['TransactionHost', 'runPrepared'], message: 'Only *.repository.ts files reach the database.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(query|execute)$/] > TemplateLiteral[expressions.length>0]",
          message: 'Bind parameters instead of building SQL by interpolation.',
        },
        { selector: "CallExpression[callee.property.name='query']", message: 'Only *.repository.ts files run SQL: move the statement to the repository.' },
        { selector: "CallExpression[callee.property.name=/^(getRepository|createQueryBuilder|transaction)$/]", message: 'Only *.repository.ts files reach the database.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
