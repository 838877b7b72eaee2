export { FlagsBackup } from './backup';
export type { FlagsStorage } from './backup';
export { evaluateDefinitions, evaluateMany, FlagClient, unleashContext } from './flag-client';
export type { FlagClientOptions, FlagContext, FlagLog } from './flag-client';
