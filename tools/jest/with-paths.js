/**
 * Jest applies moduleNameMapper to test files but not to globalSetup/globalTeardown modules:
 * this registers the @medgenie/* path aliases for those.
 */
const { register } = require('tsconfig-paths');
const { compilerOptions } = require('../../tsconfig.base.json');

register({ baseUrl: `${__dirname}/../..`, paths: compilerOptions.paths });
