module.exports = async function globalTeardown() {
  await globalThis.__MG_REGIONAL_PG__?.stop();
};
