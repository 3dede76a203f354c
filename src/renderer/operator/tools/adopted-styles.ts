/**
 * xterm.js draws with <style> elements it writes at run time (its dimensions, theme, scrollbar), which the pages' CSP
 * (style-src 'self', src/shared/content-security-policy.ts) rightly refuses. Rather than loosen the policy for every
 * page, xterm is given a document (its `documentOverride` option) whose <style> elements are inert ones of another
 * name, and the rules xterm writes into them are mirrored into constructed stylesheets adopted by the page, which
 * the CSP does not block, kept in step as xterm rewrites them.
 */
const INERT = 'xterm-style';

/** The page's document, but a <style> asked for is an inert element that only holds its text. */
export function styleFreeDocument(): Document {
  return new Proxy(document, {
    get(target, prop) {
      if (prop === 'createElement')
        return (name: string, options?: ElementCreationOptions) =>
          target.createElement(name.toLowerCase() === 'style' ? INERT : name, options);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Mirrors the inert style elements under `root` into adopted stylesheets until the returned function is called. */
export function mirrorInlineStyles(root: HTMLElement): () => void {
  const sheets = new Map<Element, CSSStyleSheet>();
  const sync = (el: Element) => {
    let sheet = sheets.get(el);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheets.set(el, sheet);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    }
    sheet.replaceSync(el.textContent ?? '');
  };
  const scan = () => root.querySelectorAll(INERT).forEach(sync);
  const observer = new MutationObserver(scan);
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  scan();
  return () => {
    observer.disconnect();
    const gone = new Set(sheets.values());
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => !gone.has(s));
  };
}
