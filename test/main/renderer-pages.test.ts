/**
 * The built app pages (out/renderer, made by `npm run build`) carry the strict CSP themselves,
 * besides the header flxra://app/ sends it with (and wherever else they are served, as in the
 * tests' Chromium), and hold no inline script it would block.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from '../../src/shared/content-security-policy.js';

for (const name of ['host.html', 'operator.html']) {
  test(`${name} has the CSP in its <meta>, before anything else, and no inline script`, async () => {
    const html = await readFile(`out/renderer/${name}`, 'utf8').catch(() =>
      assert.fail('out/renderer is missing: run `npm run build` first'),
    );
    const head = html.slice(html.indexOf('<head>'));
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(head);
    assert.ok(meta, 'a CSP meta element');
    assert.equal(meta[1]!.replaceAll('&#39;', "'"), META_CONTENT_SECURITY_POLICY);
    assert.ok(head.indexOf(meta[0]) < head.search(/<script|<link/), 'before any script or style is loaded');
    // Only frame-ancestors is left to the header: browsers ignore it in a <meta>.
    assert.deepEqual(
      CONTENT_SECURITY_POLICY.split('; ').filter((d) => !META_CONTENT_SECURITY_POLICY.split('; ').includes(d)),
      ["frame-ancestors 'none'"],
    );
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline script');
  });
}
