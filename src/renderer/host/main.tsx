import { createRoot } from 'react-dom/client';
import { HostApp } from './HostApp';
import { startScreenStreaming } from './screen-stream';
import '../styles.css';

startScreenStreaming(window.flxra);
createRoot(document.getElementById('root')!).render(<HostApp />);
