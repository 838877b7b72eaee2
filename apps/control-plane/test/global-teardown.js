module.exports = async function globalTeardown() {
  await globalThis.__MG_CP_PG__?.stop();
};
