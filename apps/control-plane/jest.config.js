const preset = require('../../jest.preset');

/** otplib's plugins depend on @noble/hashes and @scure/base, which ship as ES modules only: jest turns them into CommonJS (Node itself loads them as they are). */
const ESM_ONLY = ['@noble', '@scure'];

module.exports = {
  ...preset,
  displayName: 'control-plane',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  transform: {
    ...preset.transform,
    [`^.+/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: ['babel-jest', { babelrc: false, configFile: false, plugins: ['@babel/plugin-transform-modules-commonjs'] }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
};
