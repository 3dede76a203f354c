/**
 * A value fetched now and again every few seconds while the component is shown: the lists' "live"
 * status. An unreachable relay is no error of the page's: the banner above every page says it
 * (reachability.ts), and the value stays as last known.
 */
import { useEffect, useState } from 'react';
import { ApiFailure, message } from './api';

export function usePolled<T>(
  load: () => Promise<T>,
  everyMs: number,
  key = '',
): { value: T | null; error: string | null } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const tick = () =>
      load().then(
        (v) => {
          if (!live) return;
          setValue(v);
          setError(null);
        },
        (err: unknown) => live && setError(err instanceof ApiFailure && err.status === 0 ? null : message(err)),
      );
    void tick();
    const timer = setInterval(() => void tick(), everyMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
    // `load` is a new closure on every render; `key` says when it asks something else.
  }, [everyMs, key]);
  return { value, error };
}
