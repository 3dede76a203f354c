/**
 * The Chromium host runs its page headless, so nobody sees it: instead it writes each screen
 * the user would see to its output, which the agent keeps in its log (and tests read). A screen
 * is named by the page's data-testid elements (consent, indicator, host-ended …) and logged once,
 * with its text, when it appears; text changing within a screen (the consent countdown) is not.
 */
import type { Page } from 'playwright-core';

// Page-side code stays a string: functions transpiled by tsx do not survive serialisation.
const OBSERVER = `
  addEventListener('DOMContentLoaded', () => {
    let shown = '';
    const check = () => {
      const ids = [...document.querySelectorAll('[data-testid]')].map((e) => e.dataset.testid).join(',');
      if (!ids || ids === shown) return;
      shown = ids;
      const text = (document.querySelector('main')?.innerText ?? '').replace(/\\s+/g, ' ').trim();
      window.__flxraShown(ids, text);
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    check();
  });
`;

/** Calls `report` with "shown <testids>: <text>" for every screen the page shows from now on. */
export async function reportShownScreens(page: Page, report: (line: string) => void): Promise<void> {
  await page.exposeFunction('__flxraShown', (ids: string, text: string) => report(`shown ${ids}: ${text}`));
  await page.addInitScript({ content: OBSERVER });
}
