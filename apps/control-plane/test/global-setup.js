require('../../../tools/jest/with-paths');
module.exports = require('./control-plane-setup.ts').default;
