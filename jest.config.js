/** `npm test`: every project's unit tests (*.spec.ts) and integration tests (*.int-spec.ts). */
module.exports = {
  projects: ['<rootDir>/libs/jest.config.js', '<rootDir>/apps/regional-api/jest.config.js', '<rootDir>/apps/control-plane/jest.config.js', '<rootDir>/apps/gateway/jest.config.js', '<rootDir>/apps/console/jest.config.js', '<rootDir>/apps/platform-e2e/jest.config.js'],
  maxWorkers: 2,
  testTimeout: 60_000,
};
