const { withEsmOnly, OTPLIB_ESM } = require('../../jest.esm-only');

/** @fastify/static (the console's assets) requires content-disposition 3, an ES module only. */
module.exports = {
  ...withEsmOnly([...OTPLIB_ESM, 'content-disposition']),
  displayName: 'control-plane',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
};
