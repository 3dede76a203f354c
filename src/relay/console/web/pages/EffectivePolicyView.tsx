/**
 * A device's effective policy: for each capability and role, whether it is allowed on that
 * device and where the value comes from (its report group's override, the product level, or the
 * default), as the relay decides it (GET /devices/:deviceId/policy). Reached from the Devices
 * page (/console/policy?device=<id>) or by choosing a device here; asked again after each save.
 */
import { useEffect, useState } from 'react';
import { CAPABILITY_LABELS, Capability } from '../../../../shared/capabilities';
import { sourceWords } from '../../../../shared/capability-decision';
import type { EffectiveDevicePolicy } from '../../../../shared/console-roles';
import { consoleApi, message } from '../api';
import { useConsole } from '../store';

/** The Devices page's way here: the policy page with this device's effective policy shown. */
export function EffectivePolicyLink({ deviceId }: { deviceId: string }) {
  const go = useConsole((s) => s.go);
  return (
    <button
      type="button"
      onClick={() => {
        history.pushState(null, '', `/console/policy?device=${encodeURIComponent(deviceId)}`);
        go('policy');
      }}
    >
      Effective policy
    </button>
  );
}

export function EffectivePolicyView({ saves }: { saves: number }) {
  const [devices, setDevices] = useState<Array<{ deviceId: string; hostname: string }>>([]);
  const [deviceId, setDeviceId] = useState(() => new URLSearchParams(location.search).get('device') ?? '');
  const [effective, setEffective] = useState<EffectiveDevicePolicy | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    consoleApi.devices().then(
      ({ devices: listed }) => setDevices(listed),
      () => undefined,
    );
  }, []);
  useEffect(() => {
    if (!deviceId) return;
    consoleApi.devicePolicy({ params: { deviceId } }).then(
      (answer) => {
        setEffective(answer);
        setError(null);
      },
      (err: unknown) => setError(message(err)),
    );
  }, [deviceId, saves]);
  return (
    <section className="panel" aria-labelledby="effective-title">
      <h2 id="effective-title">Effective policy on a device</h2>
      <p className="field">
        <label htmlFor="effective-device">Device</label>
        <select id="effective-device" value={deviceId} onChange={(e) => setDeviceId(e.target.value)}>
          <option value="">Choose a device</option>
          {devices.map((d) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.hostname}
            </option>
          ))}
        </select>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {effective && effective.deviceId === deviceId && (
        <table aria-label={`Effective policy on ${effective.hostname}`}>
          <caption>
            {effective.hostname}, report group {effective.reportGroup}
          </caption>
          <thead>
            <tr>
              <th scope="col">Capability</th>
              {effective.roles.map((role) => (
                <th key={role} scope="col">
                  {role}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Capability.options.map((capability) => (
              <tr key={capability}>
                <th scope="row">{CAPABILITY_LABELS[capability]}</th>
                {effective.roles.map((role) => {
                  const cell = effective.cells.find((c) => c.capability === capability && c.role === role);
                  return (
                    <td key={role} data-testid={`effective-${capability}-${role}`}>
                      {cell ? `${cell.allowed ? 'On' : 'Off'}: ${sourceWords(cell.source)}` : ''}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
