/**
 * The boundaries between flxra's programs are the linter's to enforce (eslint.config.js): these
 * tests lint probe sources at real paths of the tree with the project's own configuration and
 * check that each wrong import is refused with its rule, and that the same file with a legal
 * import passes. Type information is switched off here (the probes exist only in memory); the
 * boundary and cycle rules do not need it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = path.resolve(import.meta.dirname, '../..');
const DEPCRUISE = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [
    {
      languageOptions: { parserOptions: { projectService: false, project: null } },
      rules: tseslint.configs.disableTypeChecked.rules,
    },
  ],
});

/** The rules that fired for `code` placed at `file` (a path in the tree). */
async function rulesFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  assert.ok(result, 'eslint returned no result');
  const fatal = result.messages.find((m) => m.fatal);
  assert.equal(fatal, undefined, fatal?.message);
  return result.messages.map((m) => m.ruleId ?? 'none');
}

test('the relay may not import electron; the Electron glue may', async () => {
  const code = "import { app } from 'electron';\nexport const ready = app.isReady();\n";
  assert.deepEqual(await rulesFor('src/relay/probe.ts', code), ['no-restricted-imports']);
  assert.deepEqual(await rulesFor('src/main/host/probe.ts', code), ['no-restricted-imports']);
  assert.deepEqual(await rulesFor('src/main/index.ts', code), []);
});

test('the relay may not import the app, the agent, the platform code or the pages; it may import src/shared', async () => {
  for (const target of ['../main/ipc/handlers.js', '../agent/backoff.js', '../platform/displays.js']) {
    const code = `import * as other from '${target}';\nexport const probe = other;\n`;
    assert.deepEqual(await rulesFor('src/relay/probe.ts', code), ['import-x/no-restricted-paths'], target);
  }
  const legal = "import { SessionId } from '../shared/protocol.js';\nexport const probe = SessionId;\n";
  assert.deepEqual(await rulesFor('src/relay/probe.ts', legal), []);
});

test('the pages import nothing from Node nor from the main process; src/shared is theirs', async () => {
  const node = "import fs from 'node:fs';\nexport const probe = fs;\n";
  assert.deepEqual(await rulesFor('src/renderer/host/probe.ts', node), ['import-x/no-nodejs-modules']);
  assert.deepEqual(await rulesFor('src/relay/console/web/probe.ts', node), ['import-x/no-nodejs-modules']);
  const main = "import * as ipc from '../../main/ipc/handlers.js';\nexport const probe = ipc;\n";
  assert.deepEqual(await rulesFor('src/renderer/host/probe.ts', main), ['import-x/no-restricted-paths']);
  const relay = "import * as policy from '../../policy/gate.js';\nexport const probe = policy;\n";
  assert.deepEqual(await rulesFor('src/relay/console/web/probe.ts', relay), ['import-x/no-restricted-paths']);
  const shared = "import { SessionId } from '../../shared/protocol.js';\nexport const probe = SessionId;\n";
  assert.deepEqual(await rulesFor('src/renderer/host/probe.ts', shared), []);
});

test('the app and the agent do not import each other; product code never imports dev/ or the tests', async () => {
  const agent = "import * as b from '../../agent/backoff.js';\nexport const probe = b;\n";
  assert.deepEqual(await rulesFor('src/main/host/probe.ts', agent), ['import-x/no-restricted-paths']);
  const main = "import * as h from '../main/host/host-session.js';\nexport const probe = h;\n";
  assert.deepEqual(await rulesFor('src/agent/probe.ts', main), ['import-x/no-restricted-paths']);
  const dev = "import * as rig from '../../dev/rig/xvfb.js';\nexport const probe = rig;\n";
  assert.deepEqual(await rulesFor('src/agent/probe.ts', dev), ['import-x/no-restricted-paths']);
  const shared =
    "import { HOST_TOKEN_ENV } from '../shared/host-token-env.js';\nexport const probe = HOST_TOKEN_ENV;\n";
  assert.deepEqual(await rulesFor('src/agent/probe.ts', shared), []);
});

test("an import cycle is refused, a type-only one too (dependency-cruiser: ESLint's no-cycle skips type imports)", () => {
  /** dependency-cruiser as `npm run lint` runs it: its exit status (non-zero on a violation) and report. */
  const cruise = (dir: string) => {
    const run = spawnSync(process.execPath, [DEPCRUISE, dir, '--config', '.dependency-cruiser.cjs'], {
      cwd: root,
      encoding: 'utf8',
    });
    return { status: run.status, report: run.stdout };
  };
  const cycle = cruise('test/lint/fixtures/type-cycle');
  assert.equal(cycle.status, 1);
  assert.match(cycle.report, /error no-cycle: test\/lint\/fixtures\/type-cycle\/(seam|implementation)\.ts/);
  // The product's own tree has none.
  assert.equal(cruise('src').status, 0);
});
