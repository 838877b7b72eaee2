require('../../../tools/jest/with-paths');
module.exports = require('./platform-setup.ts').default;
