/**
 * For installing the agent service by hand on a real Windows machine (docs/windows.md, the manual
 * test): writes the WinSW wrapper's XML that src/agent/windows-service.ts makes into a folder and
 * prints the installer's commands, one line each, so the machine runs exactly what is tested as data.
 *
 *   npx tsx scripts/windows-service-files.ts <folder> ["C:\Program Files\flxra\agent"] ["C:\ProgramData"]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { quoteWindowsArg, serviceCommands, servicePaths, winswXml } from '../src/agent/windows-service.js';

const [folder, installDir = 'C:\\Program Files\\flxra\\agent', programData = 'C:\\ProgramData'] = process.argv.slice(2);
if (!folder) {
  console.error('usage: npx tsx scripts/windows-service-files.ts <folder> [install folder] [ProgramData]');
  process.exit(2);
}
const layout = { installDir, programData };
const xml = path.join(folder, path.win32.basename(servicePaths(layout).wrapperXml));
writeFileSync(xml, winswXml(layout));
console.log(`wrote ${xml}`);
for (const [step, commands] of Object.entries(serviceCommands(layout))) {
  console.log(`${step}:`);
  for (const command of commands) console.log(`  ${command.map(quoteWindowsArg).join(' ')}`);
}
