import 'reflect-metadata';
import { createControlPlaneApp } from './app.factory';
import { ConfigError, loadControlPlaneConfig } from './config/control-plane.config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadControlPlaneConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const app = await createControlPlaneApp(config);
  await app.listen({ port: config.port, host: config.host });
}

void main();
