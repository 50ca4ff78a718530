// The PDCA year in a real browser, as ward staff do it:
//   administrator signs in → creates a ward editor and an approver (one-time passwords)
//   editor: mid-year review with ② and no remedy → the error is at the field; adds the
//   remedy → saved; a second tab saving the same item late → conflict message, text kept;
//   submits → approver approves and publishes → a citizen (signed out) sees it.
// Also: axe-core on every page met on the way, and text typed as markup shown as text.
//
//   BASE_URL=… ADMIN_PASSWORD=… node pdca.mjs

import {
  checkA11y, checklist, expectEqual, expectPageText, expectText, firstSignIn, launchBrowser, open, signIn, signOut,
} from './lib.mjs';

const session = await launchBrowser();
const { check, finish } = checklist(session);
const REMEDY = '相談窓口を増やし、<script>window.__xss=9</script>を含む文も文字として扱う。';
const LATE = '別の担当者が書いた改善策（後から保存）';
let planPath;
let nodePath;
const passwords = {};

async function submit(page, selector) {
  await Promise.all([page.waitForLoadState('load'), page.click(selector)]);
}

try {
  const page = await session.newPage();

  await check('administrator: first sign-in forces a new password', async () => {
    await firstSignIn(page, process.env.ADMIN_LOGIN ?? 'admin', process.env.ADMIN_PASSWORD, 'e2e-admin-password-1');
    await checkA11y(page, '/ (signed in)');
  });

  await check('administrator: creates a ward editor and an approver for サンプル区', async () => {
    for (const [login, role] of [['editor1', 'ward_editor'], ['director1', 'approver']]) {
      await open(page, '/admin');
      // The first-start admin is the system administrator: it picks the municipality
      // (the XSS import made a second one).
      await page.selectOption('#f-pick', { label: 'サンプル市' });
      await Promise.all([page.waitForURL(/municipality=/), page.click('form[action="/admin"] button[type=submit]')]);
      await page.fill('#f-login', login);
      await page.fill('#f-display_name', login === 'editor1' ? '区 編集者' : '区長');
      await page.selectOption('#f-role', role);
      await page.selectOption('#f-unit', { label: 'サンプル市 ＞ サンプル区 (区)' });
      await submit(page, 'form[action="/admin/users"] button[type=submit]');
      passwords[login] = (await page.locator('code.otp').innerText()).trim();
      if (passwords[login].length < 12) throw new Error(`no one-time password shown for ${login}`);
    }
    await checkA11y(page, '/admin');
    await signOut(page);
  });

  await check('editor: signs in and finds an item of the sample plan', async () => {
    await firstSignIn(page, 'editor1', passwords.editor1, 'e2e-editor-password-1');
    await page.click('table a[href^="/plans/"]');
    await page.waitForLoadState('load');
    planPath = new URL(page.url()).pathname;
    await expectText(page, '.workflow', '公表済み');
    await checkA11y(page, `${planPath} (working copy)`);
    const href = await page.locator('a[href^="/nodes/"]').first().getAttribute('href');
    nodePath = new URL(href, 'http://x').pathname;
    await open(page, nodePath);
    await checkA11y(page, nodePath);
  });

  await check('editor: ② without a remedy → the error is shown at the remedy field', async () => {
    await open(page, `${nodePath}/review`);
    await checkA11y(page, `${nodePath}/review`);
    await page.check('input[name=implementation][value=expected]');
    await page.check('input[name=achievement][value=off_track]');
    await page.fill('#f-remedy', '');
    await submit(page, 'form[action*="/review?"] button[type=submit]');
    await expectText(page, '#f-remedy-err', '課題と改善策');
    expectEqual(await page.getAttribute('#f-remedy', 'aria-invalid'), 'true', 'aria-invalid of the remedy field');
    expectEqual(await page.getAttribute('#f-remedy', 'aria-describedby'), 'f-remedy-err f-remedy-hint', 'aria-describedby of the remedy field');
    expectEqual(await page.isChecked('input[name=achievement][value=off_track]'), true, 'the chosen ② is kept');
    await checkA11y(page, `${nodePath}/review with an error`);
  });

  await check('editor: adds the remedy → saved', async () => {
    await page.fill('#f-remedy', REMEDY);
    await submit(page, 'form[action*="/review?"] button[type=submit]');
    expectEqual(new URL(page.url()).pathname, nodePath, 'page after saving');
    await expectText(page, '[role=status]', '保存しました');
    await expectPageText(page, REMEDY);
  });

  await check('two tabs: the late save is refused with a message and its text is kept', async () => {
    const a = await session.newPage();
    const b = await session.newPage();
    await open(a, `${nodePath}/review`);
    await open(b, `${nodePath}/review`);
    await a.fill('#f-remedy', `${REMEDY}（追記）`);
    await submit(a, 'form[action*="/review?"] button[type=submit]');
    await expectText(a, '[role=status]', '保存しました');
    await b.fill('#f-remedy', LATE);
    await submit(b, 'form[action*="/review?"] button[type=submit]');
    await expectText(b, '#conflict', '他の人が先にこの項目を保存しました');
    expectEqual(await b.inputValue('#f-remedy'), LATE, 'the late text in the form');
    await expectText(b, '#conflict', '（追記）');
    await checkA11y(b, `${nodePath}/review after a conflict`);
    await a.close();
    await b.close();
  });

  await check('history shows who changed the remedy, as a diff', async () => {
    await open(page, `${nodePath}/history`);
    await expectPageText(page, 'editor1');
    await expectText(page, 'dl.diff', '課題と改善策');
    if ((await page.locator('dl.diff ins').count()) === 0) throw new Error('no <ins> in the diff');
    await checkA11y(page, `${nodePath}/history`);
  });

  await check('editor: imports a document from the browser, seeing the report before storing', async () => {
    const fixture = new URL('../crates/kusei-import/tests/fixtures/reform_items.txt', import.meta.url).pathname;
    await open(page, '/');
    const before = await page.locator('table a[href^="/plans/"]').count();
    await open(page, '/import');
    await checkA11y(page, '/import');
    await page.setInputFiles('#f-file', fixture);
    await submit(page, 'form[action^="/import?"][enctype="multipart/form-data"] button[type=submit]');
    await expectText(page, 'h1', '読み取り結果の確認');
    // The form by its name, and what was read of each item (targets with their figures).
    await expectPageText(page, '市政改革プランに基づく取組');
    await expectText(page, 'ol.preview', '目標');
    await checkA11y(page, '/import (report)');
    await open(page, '/');
    expectEqual(await page.locator('table a[href^="/plans/"]').count(), before, 'plans listed before confirming');
    await page.goBack();
    await page.fill('#f-year', '2025');
    await submit(page, 'form[action^="/import/confirm"] button[type=submit]');
    if (!/^\/plans\/\d+$/.test(new URL(page.url()).pathname)) throw new Error(`after confirming: ${page.url()}`);
    await expectText(page, '.workflow', '作成中');
    await expectText(page, '.notice', '新しい計画として保存しました');
    await open(page, '/');
    expectEqual(await page.locator('table a[href^="/plans/"]').count(), before + 1, 'plans listed after confirming');
  });

  await check('editor: submits the plan for approval', async () => {
    await open(page, planPath);
    await submit(page, 'form.step:has(input[value=submit]) button');
    // The sample has items still empty: the check lists them (linking each item) and the
    // plan is submitted once they are acknowledged.
    await expectText(page, 'h1', '承認依頼の前の確認');
    if ((await page.locator('main li a[href^="/nodes/"]').count()) === 0) throw new Error('the check links no item');
    await checkA11y(page, `${planPath} submission check`);
    await page.check('#f-acknowledge');
    await submit(page, 'form.step:has(input[value=submit]) button');
    await expectText(page, '.workflow', '承認待ち');
    await signOut(page);
  });

  await check('approver: approves and publishes', async () => {
    await firstSignIn(page, 'director1', passwords.director1, 'e2e-director-password-1');
    await open(page, planPath);
    await submit(page, 'form.step:has(input[value=approve]) button');
    await submit(page, 'form.step:has(input[name=confirm]) button');
    await expectText(page, '.workflow', '承認済み');
    await submit(page, 'form.step:has(input[value=publish]) button');
    // Publishing shows what changes since the published version (the remedy), asks once.
    await expectText(page, 'h1', '公表の確認');
    await expectText(page, 'table.changes', '課題と改善策');
    await checkA11y(page, `${planPath} publication confirmation`);
    await submit(page, 'form.step:has(input[name=confirm]) button');
    await expectText(page, '.workflow', '公表済み');
    await signOut(page);
  });

  await check('a citizen (signed out, new window) sees the published remedy, as text', async () => {
    const citizen = await session.newPage();
    await open(citizen, planPath);
    await expectPageText(citizen, REMEDY);
    await expectPageText(citizen, '公表版');
    if ((await citizen.locator('.workflow').count()) !== 0) throw new Error('the public page shows the working copy panel');
    const r = await citizen.evaluate(() => ({ xss: typeof window.__xss, scripts: document.querySelectorAll('script').length }));
    expectEqual(r.xss, 'undefined', 'window.__xss on the public page');
    expectEqual(r.scripts, 0, '<script> elements on the public page');
    await checkA11y(citizen, `${planPath} (public)`);
    await open(citizen, `${planPath}?lang=en`);
    await expectPageText(citizen, 'Published version');
    await checkA11y(citizen, `${planPath}?lang=en (public)`);
    // The choice is kept (a cookie) across pages until changed back.
    await open(citizen, '/');
    expectEqual(await citizen.evaluate(() => document.documentElement.lang), 'en', '<html lang> of / after choosing English');
    await open(citizen, '/?lang=ja');
    // Version 1 (published at first start) is still there, unchanged.
    await open(citizen, `${planPath}/versions/1`);
    const v1 = await citizen.locator('main').innerText();
    if (v1.includes(REMEDY)) throw new Error('version 1 changed after a later publication');
    await citizen.close();
  });

  await check('administrator: removes the sample municipality; the public no longer sees it', async () => {
    await signIn(page, process.env.ADMIN_LOGIN ?? 'admin', 'e2e-admin-password-1');
    await open(page, '/admin');
    await page.selectOption('#f-pick', { label: 'サンプル市' });
    await Promise.all([page.waitForURL(/municipality=/), page.click('form[action="/admin"] button[type=submit]')]);
    // Without the confirmation nothing happens, and the page says why at the box.
    await submit(page, 'form[action="/admin/municipalities/remove"] button[type=submit]');
    await expectText(page, '#f-remove-err', '確認');
    await page.check('#f-remove');
    await submit(page, 'form[action="/admin/municipalities/remove"] button[type=submit]');
    await expectText(page, '[role=status]', 'サンプルの自治体を削除しました');
    await checkA11y(page, '/admin (after removing the sample)');
    await signOut(page);
    await open(page, '/');
    if ((await page.locator('main').innerText()).includes('サンプル市')) throw new Error('the home page still lists サンプル市');
    const res = await page.request.get(`${process.env.BASE_URL}${planPath}`);
    if (res.status() === 200) throw new Error(`the sample plan is still public: ${res.status()}`);
  });

  await check('sign-in page and the wait after repeated failures', async () => {
    await open(page, '/login');
    await checkA11y(page, '/login');
    for (let i = 0; i < 5; i++) {
      await page.fill('#f-login', 'editor1');
      await page.fill('#f-password', `wrong-${i}`);
      await submit(page, 'form[action="/login"] button[type=submit]');
    }
    await expectPageText(page, 'パスワードが違います');
    // After five in a row, the next attempt waits (even with the right password), and
    // the page says until when, in Japan time.
    await page.fill('#f-login', 'editor1');
    await page.fill('#f-password', 'e2e-editor-password-1');
    await submit(page, 'form[action="/login"] button[type=submit]');
    expectEqual(new URL(page.url()).pathname, '/login', 'page after signing in while throttled');
    await expectPageText(page, 'しばらくお待ちください');
    // An unknown login is answered the same way (nothing tells which logins exist).
    for (let i = 0; i < 6; i++) {
      await page.fill('#f-login', 'nobody-here');
      await page.fill('#f-password', `wrong-${i}`);
      await submit(page, 'form[action="/login"] button[type=submit]');
    }
    await expectPageText(page, 'しばらくお待ちください');
  });

  await check('no external requests, no dialogs, no console errors', async () => session.assertClean());
} catch (e) {
  console.log(`FAIL - scenario stopped: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await session.close();
}
finish();
