/**
 * The toolbar's special keys: combinations the operator's own system would catch, sent as the
 * remote keystroke (special-keys.ts), and Ctrl+Alt+Del, which the device carries out or refuses
 * with its reason (shown here, as the device worded it). Only while the operator has control, and
 * where the policy's keys.special allows them (else disabled, its reason as the title).
 * Ctrl+Alt+Del never goes to the host to be carried out (the user's process cannot): while the
 * device's SYSTEM helper is attached (the relay says so) it goes as secure-desktop:input through
 * the relay to the agent and its helper (SendSAS); without one the host is asked only to say why
 * not (not Windows: sas-unsupported; no helper: sas-unavailable).
 */
import { keySequence, SPECIAL_KEYS, type SpecialKey } from '../../shared/special-keys';
import type { Permission } from './feature-permission';
import { sendInput } from './remote-screen';
import { useSecureDesktopStore } from './SecureDesktopScreen';
import { useViewerStore } from './viewer-store';

export function SpecialKeys({ controlling, allowed }: { controlling: boolean; allowed: Permission }) {
  const refusal = useViewerStore((s) => s.refusal);
  const { setRefusal, markUsed } = useViewerStore.getState();
  const press = (key: SpecialKey) => {
    setRefusal(null);
    for (const event of keySequence(SPECIAL_KEYS[key].codes)) sendInput(event);
    markUsed(SPECIAL_KEYS[key].label);
  };
  const sas = () => {
    setRefusal(null);
    if (useSecureDesktopStore.getState().helper)
      void window.flxra.operator.viewer.secureDesktopInput({ kind: 'sas' }).then((r) => {
        if (!r.sent) setRefusal({ code: 'sas-unavailable', message: `Ctrl+Alt+Del was not sent: ${r.message}` });
      });
    else sendInput({ t: 'sas' });
    markUsed('Ctrl+Alt+Del');
  };
  // The policy's keys.special first: with control or without, the reason is the policy's.
  const why = !allowed.allowed ? allowed.reason : controlling ? undefined : 'Only with control';
  const off = !controlling || !allowed.allowed;
  const viaHelper = useSecureDesktopStore((s) => s.helper);
  return (
    <span className="toolbar-group" role="group" aria-label="Special keys" data-testid="special-keys">
      <button
        disabled={off}
        title={why ?? (viaHelper ? "Sent to the device's secure-desktop service (SendSAS)" : undefined)}
        data-route={viaHelper ? 'helper' : 'host'}
        onClick={sas}
      >
        Ctrl+Alt+Del
      </button>
      {(Object.keys(SPECIAL_KEYS) as SpecialKey[]).map((key) => (
        <button key={key} disabled={off} title={why} onClick={() => press(key)}>
          {SPECIAL_KEYS[key].label}
        </button>
      ))}
      {refusal && (
        <span className="error" role="alert" data-testid="input-refused" data-code={refusal.code}>
          {refusal.message}
        </span>
      )}
    </span>
  );
}
