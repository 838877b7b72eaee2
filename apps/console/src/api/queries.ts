import { keepPreviousData, QueryClient, QueryKey, useQuery } from '@tanstack/react-query';
import { ApiError } from './client';

/**
 * Server state goes through TanStack Query: one cache for the console, keyed by what was asked
 * (`keys`), deduplicated, refetched when a page mounts or the window regains focus, and dropped
 * when the session ends (another admin must never see the last one's answers).
 */
export const keys = {
  regions: ['regions'] as const,
  regionsOverview: ['regions', 'overview'] as const,
  organizations: ['organizations'] as const,
  organizationList: (filter: object) => ['organizations', 'list', filter] as const,
  organization: (id: string) => ['organizations', id] as const,
  flags: ['flags'] as const,
  audit: (query: object) => ['audit', query] as const,
  usage: ['usage'] as const,
  mfaStatus: ['me', 'mfa'] as const,
};

/** A server error (or no answer) is worth one more try; a 4xx answer says the same thing again. */
export function shouldRetry(failures: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failures < 1;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: shouldRetry, staleTime: 5_000 }, mutations: { retry: false } } });
}

/** What a page shows of one query: its data (kept from the previous key while the next loads, where asked), error, whether it is loading, and a retry. */
export interface PageQuery<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

export function usePageQuery<T>(queryKey: QueryKey, load: (signal: AbortSignal) => Promise<T>, options: { keepPrevious?: boolean } = {}): PageQuery<T> {
  const query = useQuery({ queryKey, queryFn: ({ signal }) => load(signal), placeholderData: options.keepPrevious ? keepPreviousData : undefined });
  return {
    data: query.data,
    error: query.error ?? undefined,
    loading: query.isFetching,
    reload: () => void query.refetch(),
  };
}
