const preset = require('../../jest.preset');

module.exports = {
  ...preset,
  displayName: 'gateway',
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
};
