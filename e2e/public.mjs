// The public pages in a real browser: accessibility (axe-core, WCAG 2.1 AA), language
// switch, phone width, and document text that looks like markup shown as text.
//
//   BASE_URL=http://127.0.0.1:8080 [XSS_PLAN_PATH=/plans/2] node public.mjs
//
// XSS_PLAN_PATH is a plan imported from crates/kusei/tests/fixtures/xss_reform_items.txt
// with --unit '検証区<script>window.__xss=5</script>' (crates/kusei/tests/browser.rs does
// both); without it the XSS checks are reported skipped.
// Prints one line per check; exits non-zero when any check fails.

import { checkA11y, checklist, expectEqual, expectPageText, firstSignIn, launchBrowser, open } from './lib.mjs';

/** <script> elements the pages ship themselves (today none: Kusei serves no JavaScript). */
const SHIPPED_SCRIPTS = 0;

/** Markup written into the XSS fixture: its first item's title, a section and a remedy. */
const XSS_TEXTS = [
  '<script>window.__xss=1;alert(1)</script>',
  '<img src=x onerror="window.__xss=2">',
  '<script>window.__xss=3;alert(3)</script>',
];
/** Markup in the name of the unit browser.rs imports the fixture under (shown on / too). */
const XSS_UNIT_TEXT = '<script>window.__xss=5</script>';

const session = await launchBrowser();
const { check, finish } = checklist(session);
try {
  const page = await session.newPage();
  // Every plan linked from / (the first one at least), without ?lang=.
  let planPaths = [];

  await check('home page / opens', async () => {
    await open(page, '/');
    expectEqual(await page.evaluate(() => document.documentElement.lang), 'ja', '<html lang> of /');
  });
  await check('home page / has no serious or critical axe violations', () => checkA11y(page, '/'));
  await check('home page links to a plan', async () => {
    const hrefs = await page.locator('a[href^="/plans/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    planPaths = [...new Set(hrefs.map((h) => new URL(h, 'http://x').pathname))];
    if (!planPaths.length) throw new Error('no link to /plans/ on /');
  });

  for (const plan of planPaths) {
    await check(`plan page ${plan} opens with one <h1>`, async () => {
      await open(page, plan);
      const h1 = await page.locator('h1').count();
      if (h1 !== 1) throw new Error(`expected one <h1> on ${plan}, found ${h1}`);
    });
    await check(`plan page ${plan} has no serious or critical axe violations`, () => checkA11y(page, plan));
  }

  await check('?lang=en switches <html lang> to en', async () => {
    for (const p of ['/', ...planPaths.slice(0, 1)]) {
      await open(page, `${p}?lang=en`);
      expectEqual(await page.evaluate(() => document.documentElement.lang), 'en', `<html lang> of ${p}?lang=en`);
    }
  });
  await check('English pages have no serious or critical axe violations', async () => {
    for (const p of ['/', ...planPaths.slice(0, 1)]) {
      await open(page, `${p}?lang=en`);
      await checkA11y(page, `${p}?lang=en`);
    }
    await open(page, '/?lang=ja');
  });

  await check('a 375 px phone has no horizontal scroll on / and the plan pages', async () => {
    if (!planPaths.length) throw new Error('no plan link found on /');
    const phone = await session.newPage({ viewport: { width: 375, height: 812 } });
    try {
      for (const p of ['/', ...planPaths]) {
        await open(phone, p);
        const m = await phone.evaluate(() => {
          const inner = window.innerWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > inner + 1)
            .slice(0, 5)
            .map((e) => `<${e.tagName.toLowerCase()}${e.className ? ` class="${e.className}"` : ''}> ${Math.round(e.getBoundingClientRect().right)}px`);
          return { scroll: document.documentElement.scrollWidth, inner, wide };
        });
        if (m.scroll > m.inner + 1) {
          throw new Error(`${p}: document is ${m.scroll}px wide in a ${m.inner}px window; too wide: ${m.wide.join(', ')}`);
        }
      }
    } finally {
      await phone.close();
    }
  });

  // The imported document is a draft: staff see it once signed in (the administrator may
  // read every plan). Every staff view of it must show its markup as text.
  const xssPath = process.env.XSS_PLAN_PATH;
  if (!xssPath) {
    console.log('skip - XSS checks (XSS_PLAN_PATH is not set)');
  } else {
    const staff = await session.newPage();
    let staffPaths = [];
    await check('the administrator signs in (one-time password, then their own)', async () => {
      await firstSignIn(staff, process.env.ADMIN_LOGIN ?? 'admin', process.env.ADMIN_PASSWORD, 'e2e-admin-password-1');
    });
    await check(`markup in a document is shown as text (${xssPath} and its items)`, async () => {
      await open(staff, xssPath);
      for (const t of [...XSS_TEXTS, XSS_UNIT_TEXT]) await expectPageText(staff, t);
      const nodes = await staff.locator('a[href^="/nodes/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      const first = nodes.map((h) => new URL(h, 'http://x').pathname)[0];
      if (!first) throw new Error(`no link to an item on ${xssPath}`);
      await open(staff, first);
      await expectPageText(staff, XSS_TEXTS[0]);
      // The home page lists the municipalities (two here); the unit is on its city's page.
      await open(staff, '/');
      const cities = await staff.locator('ul.municipalities a[href^="/?municipality="]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      if (cities.length < 2) throw new Error(`the home page lists ${cities.length} municipalities`);
      let cityPath;
      for (const c of cities) {
        await open(staff, c);
        if ((await staff.locator('main').innerText()).includes(XSS_UNIT_TEXT)) {
          cityPath = c;
          break;
        }
      }
      if (!cityPath) throw new Error(`no city page of the home lists ${XSS_UNIT_TEXT}`);
      staffPaths = [xssPath, '/', cityPath, first, `${first}/history`];
    });
    await check('markup in a document does not run (no dialog, no script, no handler)', async () => {
      for (const p of staffPaths) {
        await open(staff, p);
        const r = await staff.evaluate(() => ({
          xss: typeof window.__xss === 'undefined' ? 'undefined' : String(window.__xss),
          scripts: document.querySelectorAll('script').length,
          handlers: [...document.querySelectorAll('*')].flatMap((e) =>
            [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `<${e.tagName.toLowerCase()} ${a.name}>`),
          ),
          imgs: [...document.querySelectorAll('img')].map((i) => i.getAttribute('src')),
        }));
        expectEqual(r.xss, 'undefined', `window.__xss on ${p}`);
        if (r.scripts > SHIPPED_SCRIPTS) {
          throw new Error(`${p} has ${r.scripts} <script> element(s); the pages ship ${SHIPPED_SCRIPTS}`);
        }
        if (r.handlers.length) throw new Error(`${p} has event handler attributes: ${r.handlers.join(', ')}`);
        if (r.imgs.includes('x')) throw new Error(`${p} has an <img src="x"> element from document text`);
      }
    });
    await check(`staff pages of the XSS plan have no serious or critical axe violations`, async () => {
      for (const p of staffPaths) {
        await open(staff, p);
        await checkA11y(staff, p);
      }
    });
    await staff.close();
  }

  await check('no external requests, no dialogs, no console errors', async () => session.assertClean());
} catch (e) {
  console.log(`FAIL - scenario stopped: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await session.close();
}
finish();
