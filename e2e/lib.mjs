// Shared by the browser scenarios (public.mjs, …): the browser, its guards and the checks.
//
// The browser is Debian's chromium driven by playwright-core (no browser download here).
// Every page opened through a session is watched:
//   - a request to any origin other than the Kusei server is blocked and fails the run
//     (LGWAN: Kusei makes no external calls, not even for fonts or scripts);
//   - a JavaScript dialog (alert, confirm, prompt) fails the run;
//   - console errors and uncaught page errors are collected and fail the run.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The flags the browser must run with (checked on chrome://version at launch). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * The chromium binary: $CHROMIUM, else Debian's real binary (/usr/lib/chromium/chromium,
 * which skips the /usr/bin/chromium shell wrapper and the flags it adds from
 * /etc/chromium.d such as --enable-remote-extensions), else /usr/bin/chromium.
 */
export function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const p of ['/usr/lib/chromium/chromium', '/usr/bin/chromium']) {
    if (fs.existsSync(p)) return p;
  }
  throw new Error('no chromium: install Debian chromium (apt-get install chromium) or set CHROMIUM');
}

/** The Kusei server under test: $BASE_URL without a trailing slash. */
export function baseUrl() {
  const b = process.env.BASE_URL;
  if (!b) throw new Error('BASE_URL is not set (e.g. BASE_URL=http://127.0.0.1:8080)');
  return b.replace(/\/+$/, '');
}

/**
 * Starts chromium with CHROMIUM_FLAGS and a fresh profile directory (removed at close).
 * Returns a session: `newPage()` gives a guarded page, `assertClean()` throws on any
 * external request, dialog or console error seen so far, `close()` ends it all.
 */
export async function launchBrowser({ base = baseUrl() } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kusei-e2e-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      headless: true,
      args: [...CHROMIUM_FLAGS],
      viewport: { width: 1280, height: 800 },
      locale: 'ja-JP',
      timeout: 30_000,
    });
    await verifyFlags(context, profile);
  } catch (e) {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  context.setDefaultTimeout(15_000);

  const origin = new URL(base).origin;
  // Everything the guards saw, in order: external requests, dialogs, console errors.
  const problems = [];

  // Every network request of every page goes through here: other origins are blocked.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (isAllowed(url, origin)) return route.continue();
    problems.push(`request outside the Kusei server (${origin}): ${route.request().method()} ${url}`);
    return route.abort('blockedbyclient');
  });

  // A form answered with its own page and a 4xx status (422 field errors, 409 stale save,
  // 401 wrong password) is how Kusei answers forms; Chromium logs each as a console error.
  // Those are expected for the page's own document; a failing subresource is not.
  const formAnswers = new Set();
  const watch = (page) => {
    page.on('response', (r) => {
      const req = r.request();
      if (req.isNavigationRequest() && req.method() === 'POST' && [401, 409, 422].includes(r.status())) {
        formAnswers.add(r.url());
      }
    });
    page.on('dialog', (d) => {
      problems.push(`JavaScript dialog opened: ${d.type()}(${JSON.stringify(d.message())}) on ${page.url()}`);
      d.dismiss().catch(() => {});
    });
    page.on('console', (m) => {
      // The 'blocked by client' message is the echo of a request refused above.
      const formAnswer = m.text().startsWith('Failed to load resource') && formAnswers.has(m.location()?.url);
      if (m.type() === 'error' && !m.text().includes('ERR_BLOCKED_BY_CLIENT') && !formAnswer) {
        problems.push(`console error: ${m.text()} on ${page.url()}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`uncaught error: ${e.message} on ${page.url()}`));
    page.on('websocket', (ws) => {
      if (!isAllowed(ws.url(), origin)) problems.push(`websocket outside the Kusei server (${origin}): ${ws.url()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);

  return {
    context,
    base,
    /** A new guarded page; `viewport` e.g. { width: 375, height: 812 }. */
    async newPage({ viewport } = {}) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    /** A position in the list of problems, for `assertClean(since)`. */
    mark() {
      return problems.length;
    },
    /** Throws when an external request, a dialog or a console error was seen (since `mark`). */
    assertClean(since = 0) {
      const seen = [...new Set(problems.slice(since))];
      if (seen.length) throw new Error(seen.join('\n    '));
    },
    async close() {
      try {
        await context.close();
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

function isAllowed(url, origin) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (['data:', 'blob:', 'about:'].includes(u.protocol)) return true;
  const asHttp = u.protocol === 'ws:' ? 'http:' : u.protocol === 'wss:' ? 'https:' : u.protocol;
  return `${asHttp}//${u.host}` === origin;
}

/** Reads the browser's own command line and fails unless every required flag is on it. */
async function verifyFlags(context, profile) {
  const page = await context.newPage();
  try {
    await page.goto('chrome://version');
    const line = (await page.locator('#command_line').innerText()).split(/\s+/);
    const missing = [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`].filter((f) => !line.includes(f));
    if (missing.length) {
      throw new Error(`chromium runs without the flags ${missing.join(' ')}; its command line: ${line.join(' ')}`);
    }
  } finally {
    await page.close();
  }
}

/** Opens BASE_URL + path and fails unless the answer is 2xx HTML. */
export async function open(page, urlPath) {
  const url = new URL(urlPath, baseUrl() + '/').toString();
  const res = await page.goto(url, { waitUntil: 'load' });
  if (!res) throw new Error(`GET ${url}: no response`);
  if (!res.ok()) throw new Error(`GET ${url}: HTTP ${res.status()}`);
  const type = res.headers()['content-type'] ?? '';
  if (!type.startsWith('text/html')) throw new Error(`GET ${url}: content-type "${type}", expected text/html`);
  return res;
}

const AXE_SOURCE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
let axeSource;

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA) on the page. Throws listing every serious or
 * critical violation (rule, impact, help, failing nodes); prints minor and moderate
 * ones as warnings. axe is evaluated in the page rather than added as a <script> tag,
 * so the page's DOM stays as the server sent it and a Content-Security-Policy does not
 * block it.
 */
export async function checkA11y(page, label) {
  axeSource ??= fs.readFileSync(AXE_SOURCE_PATH, 'utf8');
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) {
    const client = await page.context().newCDPSession(page);
    try {
      const r = await client.send('Runtime.evaluate', { expression: axeSource });
      if (r.exceptionDetails) throw new Error(`cannot load axe-core: ${r.exceptionDetails.text}`);
    } finally {
      await client.detach();
    }
  }
  const results = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  const describe = (v) =>
    `${v.id} [${v.impact}] ${v.help} (${v.helpUrl})\n` +
    v.nodes
      .map((n) => `      at ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s*\n\s*/g, '; ')}`)
      .join('\n');
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of results.violations.filter((v) => !blocking.includes(v))) {
    console.warn(`warning: axe on ${label}: ${describe(v)}`);
  }
  if (blocking.length) {
    throw new Error(
      `axe-core found ${blocking.length} serious/critical accessibility violation(s) on ${label} (${page.url()}):\n    ` +
        blocking.map(describe).join('\n    '),
    );
  }
}

/** Fails unless the first element matching `selector` exists and its text contains `text`. */
export async function expectText(page, selector, text) {
  const loc = page.locator(selector).first();
  if ((await page.locator(selector).count()) === 0) {
    throw new Error(`expected ${selector} on ${page.url()}, but no element matches`);
  }
  const actual = await loc.innerText();
  if (!actual.includes(text)) {
    throw new Error(`expected ${selector} on ${page.url()} to contain ${JSON.stringify(text)}, but its text is ${JSON.stringify(clip(actual))}`);
  }
}

/** Fails unless the page's visible text (body innerText) contains `text`. */
export async function expectPageText(page, text) {
  await expectText(page, 'body', text);
}

/** Fails unless `actual === expected`, naming what was compared. */
export function expectEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function clip(s, n = 400) {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/**
 * Runs named checks one after another, printing `ok - NAME` for each that passes and
 * `FAIL - NAME: reason` for each that fails; later checks still run. A check also fails
 * when the session's guards saw an external request, a dialog or a console error while
 * it ran. `finish()` prints the summary and sets the exit status.
 */
export function checklist(session) {
  const failures = [];
  let passed = 0;
  return {
    async check(name, fn) {
      const since = session?.mark() ?? 0;
      try {
        await fn();
        session?.assertClean(since);
        passed += 1;
        console.log(`ok - ${name}`);
      } catch (e) {
        failures.push(name);
        console.log(`FAIL - ${name}: ${e instanceof Error ? e.message : e}`);
      }
    },
    finish() {
      if (failures.length) {
        console.log(`${failures.length} check(s) failed, ${passed} passed: ${failures.join('; ')}`);
        process.exitCode = 1;
      } else {
        console.log(`all ${passed} checks passed`);
      }
    },
  };
}

/** Signs in through the form; fails unless the answer leaves /login. */
export async function signIn(page, login, password) {
  await open(page, '/login');
  await page.fill('#f-login', login);
  await page.fill('#f-password', password);
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/login"] button[type=submit]')]);
  if (new URL(page.url()).pathname === '/login') {
    const why = await page.locator('.error').allInnerTexts();
    throw new Error(`sign-in as ${login} failed: ${why.join(' ')}`);
  }
}

/**
 * First sign-in with a one-time password: Kusei sends the user to the password form
 * before anything else; sets `newPassword` there.
 */
export async function firstSignIn(page, login, oneTimePassword, newPassword) {
  await signIn(page, login, oneTimePassword);
  expectEqual(new URL(page.url()).pathname, '/account/password', `page after ${login}'s first sign-in`);
  await page.fill('#f-current', oneTimePassword);
  await page.fill('#f-new', newPassword);
  await page.fill('#f-confirm', newPassword);
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/account/password"] button[type=submit]')]);
  expectEqual(new URL(page.url()).pathname, '/', `page after ${login} set a password`);
}

/** Signs out with the header's button. */
export async function signOut(page) {
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/logout"] button[type=submit]')]);
}
