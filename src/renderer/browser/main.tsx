/**
 * The operator viewer in the browser (served by the relay at /console/operator/): the app's
 * operator page (src/renderer/operator/) over the browser's own implementation of its API
 * (browser-operator.ts). The assistance to open comes in the address's fragment from the
 * console's "Connect in the browser", and is cleared from the address at once.
 */
import { createRoot } from 'react-dom/client';
import { createApi } from '../../shared/api';
import { readBrowserAssistance } from '../../shared/browser-operator';
import { BrowserOperator } from './browser-operator';

const assistance = readBrowserAssistance(location.hash);
history.replaceState(null, '', location.pathname);
const operator = new BrowserOperator(location.origin, assistance);
Object.defineProperty(window, 'flxra', { value: createApi(operator.transport()) });

// The viewer's modules read window.flxra as they load: imported once it is there.
const [{ OperatorApp }, { startRemoteScreen }, { startSessionRecorder }, { startTools }] = await Promise.all([
  import('../operator/OperatorApp'),
  import('../operator/remote-screen'),
  import('../operator/session-recorder'),
  import('../operator/tools/ToolsPanel'),
  import('../styles.css'),
]);
startRemoteScreen(window.flxra);
// Where the policy requires it, the page records and uploads itself (browser-recording.ts).
startSessionRecorder(window.flxra);
startTools();
createRoot(document.getElementById('root')!).render(<OperatorApp />);
void operator.start();
