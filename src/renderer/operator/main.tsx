import { createRoot } from 'react-dom/client';
import { OperatorApp } from './OperatorApp';
import { startRemoteScreen } from './remote-screen';
import { startSessionRecorder } from './session-recorder';
import { startTools } from './tools/ToolsPanel';
import '../styles.css';

startRemoteScreen(window.flxra);
startSessionRecorder(window.flxra);
startTools();
createRoot(document.getElementById('root')!).render(<OperatorApp />);
