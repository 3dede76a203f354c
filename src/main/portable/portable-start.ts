/**
 * The operator's portable .exe (electron-builder's `portable` target, electron-builder.yml): how
 * the app starts when it runs as that .exe on a computer without flxra, decided here without
 * Electron and carried out by index.ts. The product's rules for it: it runs without installation,
 * with the user's rights, only during the session, and stays where it was saved. So:
 *
 * - It knows it is the portable .exe from its wrapper (app-builder-lib's templates/nsis/
 *   portable.nsi sets PORTABLE_EXECUTABLE_FILE and PORTABLE_EXECUTABLE_DIR, unpacks the app into
 *   a fresh folder of this launch, runs it, waits, and removes that folder).
 * - It opens the .flxra it was started with (Windows passes the file dropped on the .exe, or named
 *   on its command line, as an argument), else the one .flxra saved beside the .exe; several
 *   there: the operator picks one from a list; none: the file dialog, in the .exe's folder.
 * - It installs nothing: no `flxra:` link handler (a registry key under HKCU\Software\Classes),
 *   no file association, no shortcut, no autostart (none of which the app makes otherwise either).
 * - It leaves nothing behind but itself: Chromium's profile, caches, logs, crash dumps and temp
 *   files go into a folder inside the unpacked app, which the wrapper removes after the app exits;
 *   credentials are kept in memory only (src/platform/credentials/session-credential-store.ts).
 */
import { mkdirSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ACTIVATION_EXTENSION } from '../../shared/activation-file.js';
import { activationPathFromArgv } from '../activation/file-open.js';

/** What portable.nsi sets before it starts the app (checked against it by the tests). */
export const PORTABLE_ENV = { file: 'PORTABLE_EXECUTABLE_FILE', dir: 'PORTABLE_EXECUTABLE_DIR' } as const;

/** The folder, inside the unpacked app, that holds everything Chromium and the app write. */
export const SESSION_DATA_FOLDER = 'flxra-session-data';

/** The Electron paths moved into the session folder (app.setPath, before ready). */
export const MOVED_PATHS = ['userData', 'sessionData', 'logs', 'crashDumps', 'temp'] as const;
export type MovedPath = (typeof MOVED_PATHS)[number];

export interface PortableLaunch {
  /** The .exe the operator started, where they saved it. */
  exeFile: string;
  /** Its folder: where a .flxra saved beside it is looked for. */
  exeDir: string;
  /** Where the wrapper unpacked the app for this launch (removed by it at exit). */
  unpackDir: string;
  /** This launch's data, inside unpackDir. */
  dataDir: string;
  /** app.setPath(name, folder) for each, before the app is ready. */
  paths: Record<MovedPath, string>;
  /** Set in the process's environment before anything starts: Chromium's own temp files. */
  env: { TEMP: string; TMP: string };
}

/** How the app starts: as the portable .exe (its launch), or as an installed app. */
export interface StartupPlan {
  portable: PortableLaunch | null;
  /** Whether the system is told that this app opens `flxra:` links (a registry key on Windows). */
  registerSignInScheme: boolean;
  /** The portable .exe is the operator's: it never plays the host. */
  forceOperator: boolean;
}

/**
 * The plan for this start, from the environment and the running executable's path. The portable
 * wrapper's variables alone are not enough: the app must also run from a folder other than the
 * .exe's (the unpacked copy), or nothing it writes there would ever be removed.
 */
export function startupPlan(env: Record<string, string | undefined>, execPath: string): StartupPlan {
  const launch = portableLaunch(env, execPath);
  return { portable: launch, registerSignInScheme: launch === null, forceOperator: launch !== null };
}

export function portableLaunch(env: Record<string, string | undefined>, execPath: string): PortableLaunch | null {
  const exeFile = env[PORTABLE_ENV.file];
  const exeDir = env[PORTABLE_ENV.dir];
  if (!exeFile || !exeDir) return null;
  const unpackDir = path.dirname(path.resolve(execPath));
  if (samePath(unpackDir, path.resolve(exeDir))) return null;
  const dataDir = path.join(unpackDir, SESSION_DATA_FOLDER);
  const paths = Object.fromEntries(MOVED_PATHS.map((name) => [name, path.join(dataDir, name)])) as Record<
    MovedPath,
    string
  >;
  return {
    exeFile: path.resolve(exeFile),
    exeDir: path.resolve(exeDir),
    unpackDir,
    dataDir,
    paths,
    env: { TEMP: paths.temp, TMP: paths.temp },
  };
}

/** Windows' paths compare without regard to case. */
function samePath(a: string, b: string): boolean {
  return path.relative(a, b) === '' || a.toLowerCase() === b.toLowerCase();
}

/** Creates the session's folders (app.setPath refuses a folder that does not exist); before ready, so at once. */
export function prepareSessionFolders(launch: PortableLaunch): void {
  for (const dir of Object.values(launch.paths)) mkdirSync(dir, { recursive: true });
}

/** A .flxra saved beside the .exe. */
export interface BesideFile {
  path: string;
  name: string;
  modifiedAt: Date;
}

/** Which activation file the portable .exe opens first. */
export type PortableOpening =
  | { kind: 'open'; file: string; from: 'command-line' | 'beside-the-exe' }
  | { kind: 'choose'; dir: string; files: BesideFile[] }
  | { kind: 'pick'; dir: string; note?: string };

/**
 * The file to open: the one on the command line (as Windows passes a file dropped on the .exe),
 * else the .flxra files directly beside the .exe: one is opened, several are listed (newest
 * first) for the operator to choose, none (or a folder that cannot be read) opens the file dialog
 * there. A relative name is the .exe's folder's: the wrapper's `SetOutPath $INSTDIR` made the
 * unpacked copy the app's working folder, and the folder it was started in is not passed on.
 */
export async function portableOpening(
  launch: Pick<PortableLaunch, 'exeDir'>,
  argv: readonly string[],
): Promise<PortableOpening> {
  const named = activationPathFromArgv(argv, launch.exeDir);
  if (named) return { kind: 'open', file: named, from: 'command-line' };
  const dir = launch.exeDir;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    return { kind: 'pick', dir, note: `flxra cannot look into the folder it was started from (${code}).` };
  }
  const files: BesideFile[] = [];
  for (const name of names) {
    if (!name.toLowerCase().endsWith(ACTIVATION_EXTENSION)) continue;
    const file = path.join(dir, name);
    const stats = await stat(file).catch(() => null);
    if (stats?.isFile()) files.push({ path: file, name, modifiedAt: stats.mtime });
  }
  files.sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime() || a.name.localeCompare(b.name));
  const [only] = files;
  if (files.length === 1 && only) return { kind: 'open', file: only.path, from: 'beside-the-exe' };
  if (files.length > 1) return { kind: 'choose', dir, files };
  return { kind: 'pick', dir };
}

/** At most this many files are buttons; the rest are listed and reached through "Another file…". */
export const MAX_LISTED_BUTTONS = 4;

/** The question for several files, as Electron's message box takes it (dialog.showMessageBox). */
export interface ChoiceQuestion {
  type: 'question';
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
}

const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

export function choiceQuestion(opening: Extract<PortableOpening, { kind: 'choose' }>): ChoiceQuestion {
  const shown = opening.files.slice(0, MAX_LISTED_BUTTONS);
  const listed = opening.files.map((f) => `${f.name} (saved ${when.format(f.modifiedAt)})`);
  return {
    type: 'question',
    title: 'flxra: which activation file?',
    message: `${opening.files.length} activation files are saved beside flxra. Which one is for this session?`,
    detail: `In ${opening.dir}:\n${listed.join('\n')}`,
    buttons: [...shown.map((f) => f.name), 'Another file…', 'Cancel'],
    defaultId: 0,
    cancelId: shown.length + 1,
  };
}

/** What the operator's answer to the question means: a file, the file dialog, or nothing now. */
export type ChoiceAnswer = { kind: 'open'; file: string } | { kind: 'pick'; dir: string } | { kind: 'none' };

export function choiceAnswer(opening: Extract<PortableOpening, { kind: 'choose' }>, response: number): ChoiceAnswer {
  const shown = opening.files.slice(0, MAX_LISTED_BUTTONS);
  const file = shown[response];
  if (file) return { kind: 'open', file: file.path };
  if (response === shown.length) return { kind: 'pick', dir: opening.dir };
  return { kind: 'none' };
}
