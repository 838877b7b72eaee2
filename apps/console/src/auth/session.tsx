import { createContext, ReactNode, useContext, useMemo, useSyncExternalStore } from 'react';
import { AccessClaims, ApiClient, SessionEndReason } from '../api/client';
import { medgenieApi, MedgenieApi } from '../api/medgenie';

export interface Session {
  client: ApiClient;
  api: MedgenieApi;
  signedIn: boolean;
  /** Null until an access token is in memory (after a reload, the first call refreshes one). */
  claims: AccessClaims | null;
  email: string | null;
  endReason: SessionEndReason | null;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  const api = useMemo(() => medgenieApi(client), [client]);
  // A snapshot that changes whenever the client starts, refreshes or ends the session.
  const version = useSyncExternalStore(
    (listener) => client.subscribe(listener),
    () => `${client.signedIn}:${client.claims?.sub ?? ''}:${client.claims?.exp ?? ''}:${client.endReason ?? ''}`,
  );
  const session = useMemo<Session>(
    () => ({ client, api, signedIn: client.signedIn, claims: client.claims, email: client.email, endReason: client.endReason }),
    [client, api, version],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside of SessionProvider');
  return session;
}
