import { DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  /** True from the render in which `deps` change until their answer is in: `data` may be the previous one meanwhile. */
  loading: boolean;
  reload: () => void;
}

const changed = (a: DependencyList | undefined, b: DependencyList) => !a || a.length !== b.length || a.some((v, i) => !Object.is(v, b[i]));

/**
 * Server state for a page: loads with `load` whenever `deps` change, keeps the last answer while
 * reloading (marked `loading` in the very render the deps changed in), and drops answers that
 * arrive after a newer load started.
 */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): ApiState<T> {
  const [result, setResult] = useState<{ id: number; data?: T; error?: ApiError | Error }>({ id: 0 });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const lastDeps = useRef<DependencyList | undefined>(undefined);
  const requestId = useRef(0);
  const allDeps = [...deps, generation];
  if (changed(lastDeps.current, allDeps)) {
    lastDeps.current = allDeps;
    requestId.current += 1;
  }
  const id = requestId.current;

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ id, data });
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setResult((r) => ({ id, data: r.data, error: err instanceof Error ? err : new Error(String(err)) }));
      },
    );
    return () => controller.abort();
  }, [id]);

  const loading = result.id !== id;
  return { data: result.data, error: loading ? undefined : result.error, loading, reload };
}
