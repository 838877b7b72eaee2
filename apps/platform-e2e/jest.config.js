const preset = require('../../jest.preset');

/** Black-box tests of the built apps, run as separate processes the way they are deployed. */
module.exports = {
  ...preset,
  displayName: 'platform-e2e',
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
