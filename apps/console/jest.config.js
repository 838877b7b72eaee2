const preset = require('../../jest.preset');

/** Unit tests of the console's logic that needs no browser (the API client, forms, flag reach); the browser suite is in platform-e2e. */
module.exports = {
  ...preset,
  displayName: 'console',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  moduleNameMapper: {},
};
