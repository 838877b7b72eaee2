import 'reflect-metadata';
import { ConfigError, loadRegionalConfig } from './config/regional.config';
import { createRegionalApp } from './app.factory';

async function main(): Promise<void> {
  let config;
  try {
    config = loadRegionalConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const { app } = await createRegionalApp(config);
  await app.listen({ port: config.port, host: config.host });
}

void main();
