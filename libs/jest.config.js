const preset = require('../jest.preset');

module.exports = {
  ...preset,
  displayName: 'libs',
  rootDir: '.',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }] },
  testMatch: ['<rootDir>/*/src/**/*.spec.ts'],
};
