const preset = require('../../jest.preset');

/**
 * @fastify/static (the console's assets) requires content-disposition 3, an ES module: Node
 * requires it as it is, Jest's module runtime needs it compiled to CommonJS.
 */
const ESM_ONLY = 'content-disposition';

module.exports = {
  ...preset,
  displayName: 'control-plane',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
  transform: {
    ...preset.transform,
    [`/node_modules/(.+/node_modules/)?${ESM_ONLY}/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false }],
  },
  transformIgnorePatterns: [`^(?!.*/node_modules/(.+/node_modules/)?${ESM_ONLY}/).*/node_modules/`],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
