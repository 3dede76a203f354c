/**
 * The viewer toolbar's requests and the secure desktop in the main process: the shared logic
 * (src/shared/operator-viewer.ts, which the operator in the browser runs too) with the platform's
 * Windows scan codes for the secure screen's keys and Node's base64.
 */
import { windowsScanCode } from '../../platform/input/keycodes.js';
import { OperatorViewerCore, type ViewerEmit } from '../../shared/operator-viewer.js';

export type { ViewerEmit, ViewerSend } from '../../shared/operator-viewer.js';

export class OperatorViewer extends OperatorViewerCore {
  constructor(emit: ViewerEmit, log: (line: string) => void = () => undefined) {
    super(emit, log, {
      scanCode: windowsScanCode,
      base64: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    });
  }
}
