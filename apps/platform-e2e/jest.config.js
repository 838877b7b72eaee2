const { withEsmOnly, OTPLIB_ESM } = require('../../jest.esm-only');

/** Black-box tests of the built apps, run as separate processes the way they are deployed (otplib computes the console's two-step codes). */
module.exports = {
  ...withEsmOnly(OTPLIB_ESM),
  displayName: 'platform-e2e',
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
