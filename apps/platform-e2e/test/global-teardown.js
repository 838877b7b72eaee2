module.exports = async function globalTeardown() {
  await globalThis.__MG_E2E_PG__?.stop();
};
