/**
 * The toolbar's monitor picker: the device's displays as its host reports them (again whenever
 * one is added, removed or resized), and "All displays". Choosing asks the host to send that
 * display only (or all); what is chosen shows what the host says it shows. Where the policy's
 * displays.switch says no, the list shows but cannot be changed (the reason as its title).
 */
import { displayLabel } from '../../shared/display-view';
import type { Permission } from './feature-permission';
import { sendView } from './remote-screen';
import { useOperatorStore } from './store';
import { useViewerStore } from './viewer-store';

const ALL = 'all';

export function MonitorPicker({ allowed }: { allowed: Permission }) {
  const displays = useOperatorStore((s) => s.displays);
  const showing = useOperatorStore((s) => s.showing);
  if (displays.length === 0) return null;
  const value = showing ? (showing.display ?? ALL) : (displays[0]?.id ?? ALL);
  const choose = (v: string) => {
    sendView(v === ALL ? null : v);
    useViewerStore.getState().markUsed('Monitor switch');
  };
  return (
    <label className="toolbar-group" data-testid="monitor-picker" title={allowed.allowed ? undefined : allowed.reason}>
      Monitor{' '}
      <select value={value} disabled={displays.length < 2 || !allowed.allowed} onChange={(e) => choose(e.target.value)}>
        {displays.map((d, i) => (
          <option key={d.id} value={d.id}>
            {displayLabel(d, i)}
          </option>
        ))}
        <option value={ALL}>All displays</option>
      </select>
    </label>
  );
}
