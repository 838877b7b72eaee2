export { FlagsBackup } from './backup';
export type { FlagsStorage } from './backup';
export { evaluateDefinitions, FlagClient, unleashContext } from './flag-client';
export type { FlagClientOptions, FlagContext, FlagLog } from './flag-client';
