/**
 * The end-to-end rig's operator: the app's OperatorController (real OperatorSession, the keychain
 * in a fresh profile) behind the built operator page in the rig's Chromium, with the desktop's
 * part (dialogs, the system browser, the clipboard) played by RigDesktop, which the test drives.
 * Shared, with the rig's Chromium and renderer server (startRigBase), by the rig whose host starts
 * with it (session-rig.ts) and the one whose host the device's agent starts (agent-rig.ts).
 */
import type { RelayRoutes } from '../../src/main/relay-route.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createIpcHandlers, type IpcHandlers } from '../../src/main/ipc/handlers.js';
import { keychainOperatorParts } from '../../src/main/operator/keychain-operator.js';
import { OperatorController, type DesktopParts } from '../../src/main/operator/operator-controller.js';
import {
  keytarCredentialStore,
  operatorTokenAccount,
  type CredentialStore,
} from '../../src/platform/credentials/credential-store.js';
import type { OperatorState } from '../../src/shared/ipc.js';
import { launchChromium, openRendererPage, serveRenderer } from '../chromium-host/renderer-harness.js';
import { RTC_PROBE } from './page-probes.js';

/**
 * The desktop's part the app's Electron lines play (DesktopParts): the test chooses what the
 * "open" dialog answers next, and reads which addresses were opened in the system browser.
 */
export class RigDesktop implements DesktopParts {
  private readonly choices: Array<string | null> = [];
  readonly opened: string[] = [];

  /** What the next "Open activation file…" dialog returns (null: the operator cancels it). */
  choose(filePath: string | null): void {
    this.choices.push(filePath);
  }

  pickActivationFile(): Promise<string | null> {
    return Promise.resolve(this.choices.shift() ?? null);
  }

  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  }

  /** The system clipboard, as the test sets and reads it. */
  clipboard = '';
  readClipboard(): string {
    return this.clipboard;
  }
  writeClipboard(text: string): void {
    this.clipboard = text;
  }

  /** The operator's Downloads folder: a fresh one per rig (fetched files land here). */
  readonly downloads = mkdtempSync(path.join(tmpdir(), 'flxra-operator-downloads-'));
  downloadsFolder(): string {
    return this.downloads;
  }

  /** The "save" dialog: recorded, and saved as nowhere (the test reads what would have been written). */
  readonly saved: Array<{ name: string; text: string }> = [];
  saveTextFile(name: string, text: string): Promise<string | null> {
    this.saved.push({ name, text });
    return Promise.resolve(`/saved/${name}`);
  }
}

/** `states`: every state the operator window was shown, in order. */
export interface RigOperator {
  controller: OperatorController;
  page: Page;
  keychain: CredentialStore;
  states: OperatorState[];
  desktop: RigDesktop;
}

export interface RigOperatorOptions {
  /** The browser's HOME (one whose NSS database trusts a test CA: dev/rig/test-ca.ts's nssHome()). */
  browserHome?: string;
  /** Whether the operator's token is already in the keychain (default), or must be pasted. */
  signedIn?: boolean;
  /** The operator app's clock (activation expiry checks); the real one by default. */
  operatorNow?: () => number;
  /** How long the operator's viewer says "reconnecting" before "the relay is unreachable" (20 s by default). */
  operatorRelayGraceMs?: number;
  /** The operator app's way to its relays (src/main/relay-route.ts: a proxy, say); direct by default. */
  operatorRoutes?: RelayRoutes;
}

/**
 * Opens the operator app on `relay` and starts it; `cleanups` gets what undoes it (the caller runs
 * them in reverse order).
 */
async function openRigOperator(
  setup: { browser: Browser; baseUrl: string; relay: { url: string; operatorToken: string } },
  opts: RigOperatorOptions,
  cleanups: Array<() => unknown>,
): Promise<RigOperator> {
  const { relay } = setup;
  const table: { handlers?: IpcHandlers } = {};
  const operatorPage = await openRendererPage(setup.browser, setup.baseUrl, 'operator', () => table.handlers!);
  await operatorPage.page.addInitScript({ content: RTC_PROBE });
  const states: OperatorState[] = [];

  // A fresh keychain profile: the operator's token saved as the app would keep it.
  const keychain = keytarCredentialStore(`flxra-test-${randomUUID()}`);
  if (opts.signedIn !== false) await keychain.set(operatorTokenAccount(relay.url), relay.operatorToken);
  cleanups.push(() => keychain.delete(operatorTokenAccount(relay.url)));
  cleanups.push(() => keychain.delete('trusted-relay-keys'));
  const desktop = new RigDesktop();
  const controller = new OperatorController({
    defaultRelayUrl: relay.url,
    ...keychainOperatorParts(keychain),
    ...(opts.operatorRoutes ? { routes: opts.operatorRoutes } : {}),
    desktop,
    emit: (channel, payload) => {
      if (channel === 'operator:state') states.push(payload as OperatorState);
      operatorPage.emit(channel, payload);
    },
    ...(opts.operatorNow ? { now: opts.operatorNow } : {}),
    ...(opts.operatorRelayGraceMs !== undefined ? { relayGraceMs: opts.operatorRelayGraceMs } : {}),
  });
  cleanups.push(() => controller.stop());
  table.handlers = createIpcHandlers({ operator: controller });
  await operatorPage.load();
  await controller.start();
  return { controller, page: operatorPage.page, keychain, states, desktop };
}

/** What both rigs stand on: Chromium on the X display, the built renderer served, the operator app started. */
export interface RigBase {
  browser: Browser;
  baseUrl: string;
  operator: RigOperator;
  /** Undone by close(), last first: whatever the rig adds on this base goes here too. */
  cleanups: Array<() => unknown>;
  close(): Promise<void>;
}

export async function startRigBase(
  display: string,
  relay: { url: string; operatorToken: string },
  opts: RigOperatorOptions,
): Promise<RigBase> {
  const cleanups: Array<() => unknown> = [];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse())
      await Promise.resolve()
        .then(c)
        .catch(() => undefined);
  };
  try {
    const renderer = await serveRenderer();
    cleanups.push(() => renderer.close());
    const browser = await launchChromium(display, opts.browserHome ? { home: opts.browserHome } : {});
    cleanups.push(() => browser.close());
    const operator = await openRigOperator({ browser, baseUrl: renderer.baseUrl, relay }, opts, cleanups);
    return { browser, baseUrl: renderer.baseUrl, operator, cleanups, close };
  } catch (err) {
    await close();
    throw err;
  }
}
