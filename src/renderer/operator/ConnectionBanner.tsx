/**
 * The viewer's honest word on its connection (connection-state.ts): "reconnecting…" with how long
 * it has tried, then the true reason (the relay unreachable, the device offline, its capture
 * stopped), counted up every second. Nothing shows while the picture is live and all is well.
 */
import { useEffect, useState } from 'react';
import { describeCondition, type Condition } from './connection-state';

export function ConnectionBanner({ condition }: { condition: Condition }) {
  const [now, setNow] = useState(Date.now());
  const waiting = condition.kind !== 'live';
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [waiting]);
  const said = describeCondition(condition, Math.max(now, Date.now()));
  if (!said) return null;
  return (
    <p
      className={said.lost ? 'connection-banner lost' : 'connection-banner'}
      role={said.lost ? 'alert' : 'status'}
      data-testid="connection-banner"
      data-condition={condition.kind}
    >
      {said.text}
    </p>
  );
}
