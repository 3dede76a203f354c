/**
 * xterm.js draws with <style> elements it writes at run time (its dimensions, theme, scrollbar), which the pages' CSP
 * (style-src 'self', src/shared/content-security-policy.ts) rightly refuses. Rather than loosen the policy for every
 * page, xterm is given a document (its `documentOverride` option) whose <style> elements are inert ones of another
 * name, and the rules xterm writes into them are mirrored into constructed stylesheets adopted by the page, which
 * the CSP does not block, kept in step as xterm rewrites them. xterm 5.5 takes its scrollbar's <style> from the
 * page's own document whatever the override (its `mainDocument` is always `window.document`), so while xterm opens
 * (`withInertStyles`) the page's document also makes inert ones; nothing else runs meanwhile.
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

/** Runs `open` (xterm's synchronous open) with the page's document making inert style elements, then restores it. */
export function withInertStyles<T>(open: () => T): T {
  const own = Object.getOwnPropertyDescriptor(document, 'createElement');
  const create = Document.prototype.createElement.bind(document);
  const inert = (name: string, options?: ElementCreationOptions) =>
    create(name.toLowerCase() === 'style' ? INERT : name, options);
  Object.defineProperty(document, 'createElement', { value: inert, configurable: true, writable: true });
  try {
    return open();
  } finally {
    if (own) Object.defineProperty(document, 'createElement', own);
    else delete (document as { createElement?: unknown }).createElement;
  }
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
