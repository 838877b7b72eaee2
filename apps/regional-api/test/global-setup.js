require('../../../tools/jest/with-paths');
module.exports = require('./regional-setup.ts').default;
