module.exports = async function globalTeardown() {
  await Promise.all([globalThis.__MG_REGIONAL_PG__?.stop(), globalThis.__MG_REGIONAL_AZURITE__?.stop()]);
};
