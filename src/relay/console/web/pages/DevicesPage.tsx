/**
 * Devices with their id and live status (polled); select one for remote assistance at device
 * level, and (admins) rename or remove it. While the relay cannot be reached the list is the last
 * one it gave, and says so: above the table and beside every live state (status, user sessions).
 */
import { useState, type FormEvent } from 'react';
import type { ConsoleDevice } from '../../../../shared/console-api';
import { consoleApi, message } from '../api';
import { usePolled } from '../polling';
import { LastKnown } from '../RelayBanner';
import { useReachability } from '../reachability';
import { AssistancePanel } from './AssistancePanel';
import { formText } from './SetupPage';
import { EffectivePolicyLink } from './EffectivePolicyView';

export const LIST_POLL_MS = 3_000;

export function DevicesPage({ admin }: { admin: boolean }) {
  const { value, error } = usePolled(() => consoleApi.devices(), LIST_POLL_MS);
  const [selected, setSelected] = useState<string | null>(null);
  const [removal, setRemoval] = useState<string | null>(null);
  const devices = value?.devices ?? [];
  const device = devices.find((d) => d.deviceId === selected) ?? null;
  const unreachable = useReachability((s) => s.unreachable);
  return (
    <section aria-labelledby="devices-title">
      <h1 id="devices-title">Devices</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {value && devices.length === 0 && <p>No device has enrolled yet.</p>}
      {devices.length > 0 && unreachable && (
        <p className="last-known" role="status" data-testid="devices-last-known">
          These are the devices as the relay last reported them: whether each is online, and who is signed in, may have
          changed since.
        </p>
      )}
      {devices.length > 0 && (
        <table aria-label="Devices">
          <thead>
            <tr>
              <th scope="col">Select</th>
              <th scope="col">Device</th>
              <th scope="col">Device ID</th>
              <th scope="col">Status</th>
              <th scope="col">Agent</th>
              <th scope="col">Report group</th>
              <th scope="col">User sessions</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {devices.map((d) => (
              <tr
                key={d.deviceId}
                aria-selected={d.deviceId === selected}
                className="selectable"
                onClick={() => setSelected(d.deviceId)}
              >
                <td>
                  <input
                    type="radio"
                    name="device"
                    aria-label={`Select ${d.hostname}`}
                    checked={d.deviceId === selected}
                    onChange={() => setSelected(d.deviceId)}
                  />
                </td>
                <th scope="row">
                  {d.name}
                  <span className="muted">
                    {' '}
                    {d.name === d.hostname ? '' : `(host ${d.hostname}) `}
                    {d.os}
                  </span>
                </th>
                <td>
                  <code>{d.deviceId}</code>
                </td>
                <td>
                  <OnlineBadge online={d.online} />
                  <LastKnown />
                </td>
                <td>{d.agentVersion}</td>
                <td>{d.reportGroup}</td>
                <td>
                  {d.userSessions.length === 0
                    ? 'none'
                    : d.userSessions.map((s) => `${s.user} (${s.state})`).join(', ')}
                  {d.userSessions.length > 0 && <LastKnown />}
                </td>
                <td>{d.lastSeen ? new Date(d.lastSeen).toLocaleString() : 'never'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {device && (
        <AssistancePanel
          key={device.deviceId}
          target={{ deviceId: device.deviceId }}
          title={device.name}
          availability={device.availability}
        />
      )}
      {device && admin && <RenameDevice key={`rename-${device.deviceId}`} device={device} onDone={setRemoval} />}
      {device && admin && (
        <p>
          <EffectivePolicyLink deviceId={device.deviceId} />{' '}
          <button
            className="danger"
            onClick={() => {
              // Its token dies at once: the device must enrol again to come back.
              if (!window.confirm(`Remove ${device.name}? Its assistances end now and it must enrol again.`)) return;
              consoleApi.removeDevice({ params: { deviceId: device.deviceId } }).then(
                () => {
                  setSelected(null);
                  setRemoval(`${device.name} was removed.`);
                },
                (err: unknown) => setRemoval(err instanceof Error ? err.message : String(err)),
              );
            }}
          >
            Remove this device
          </button>
        </p>
      )}
      {removal && <p role="status">{removal}</p>}
    </section>
  );
}

/** An administrator names the device as operators and its user will see it (audited). */
function RenameDevice({ device, onDone }: { device: ConsoleDevice; onDone: (note: string) => void }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = formText(new FormData(event.currentTarget), 'deviceName');
    consoleApi.renameDevice({ params: { deviceId: device.deviceId }, body: { name } }).then(
      (answer) => onDone(`${device.name} is now called ${answer.device.name}.`),
      (err: unknown) => onDone(message(err)),
    );
  };
  return (
    <form aria-label="Rename device" className="inline" onSubmit={submit}>
      <label htmlFor="field-deviceName">New name for {device.name}</label>{' '}
      <input id="field-deviceName" name="deviceName" defaultValue={device.name} required />{' '}
      <button type="submit">Rename</button>
    </form>
  );
}

function OnlineBadge({ online }: { online: boolean }) {
  return <span className={online ? 'badge online' : 'badge offline'}>{online ? 'Online' : 'Offline'}</span>;
}
