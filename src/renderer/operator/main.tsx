import { createRoot } from 'react-dom/client';
import { OperatorApp } from './OperatorApp';
import { startRemoteScreen } from './remote-screen';
import '../styles.css';

startRemoteScreen(window.flxra);
createRoot(document.getElementById('root')!).render(<OperatorApp />);
