const preset = require('./jest.preset');

/**
 * The preset, with packages that ship as ES modules only (which Node loads as they are but Jest's
 * module runtime needs in CommonJS) turned into CommonJS by Babel.
 */
function withEsmOnly(packages) {
  const names = packages.join('|');
  return {
    ...preset,
    transform: {
      ...preset.transform,
      [`^.+/node_modules/(.+/node_modules/)?(${names})/.+\\.js$`]: ['babel-jest', { babelrc: false, configFile: false, plugins: ['@babel/plugin-transform-modules-commonjs'] }],
    },
    transformIgnorePatterns: [`/node_modules/(?!((.+/node_modules/)?(${names}))/)`],
  };
}

/** otplib's plugins depend on @noble/hashes and @scure/base, ES modules only. */
const OTPLIB_ESM = ['@noble', '@scure'];

module.exports = { withEsmOnly, OTPLIB_ESM };
