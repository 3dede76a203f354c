/**
 * xterm.js draws with <style> elements it writes at run time (its dimensions, theme, cursor), which the pages' CSP
 * (style-src 'self', src/shared/content-security-policy.ts) rightly refuses. Rather than loosen the policy for every
 * page, the rules of each such element under a terminal are mirrored into a constructed stylesheet (adopted by the
 * document, which the CSP does not block) and kept in step as xterm rewrites them.
 */
export function mirrorInlineStyles(root: HTMLElement): () => void {
  const sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  const sync = (el: HTMLStyleElement) => {
    let sheet = sheets.get(el);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheets.set(el, sheet);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    }
    sheet.replaceSync(el.textContent ?? '');
  };
  const scan = () => root.querySelectorAll('style').forEach(sync);
  const observer = new MutationObserver(scan);
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  scan();
  return () => {
    observer.disconnect();
    const gone = new Set(sheets.values());
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => !gone.has(s));
  };
}
