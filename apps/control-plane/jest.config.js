const preset = require('../../jest.preset');

/**
 * Packages that ship as ES modules only, which Node loads as they are but Jest's module runtime
 * needs in CommonJS: otplib's plugins depend on @noble/hashes and @scure/base, and @fastify/static
 * (the console's assets) requires content-disposition 3.
 */
const ESM_ONLY = ['@noble', '@scure', 'content-disposition'];

module.exports = {
  ...preset,
  displayName: 'control-plane',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  transform: {
    ...preset.transform,
    [`^.+/node_modules/(.+/node_modules/)?(${ESM_ONLY.join('|')})/.+\\.js$`]: ['babel-jest', { babelrc: false, configFile: false, plugins: ['@babel/plugin-transform-modules-commonjs'] }],
  },
  transformIgnorePatterns: [`/node_modules/(?!((.+/node_modules/)?(${ESM_ONLY.join('|')}))/)`],
};
