// Figures from nothing, in a real browser:
//   the administrator sets up a new city (指標市, 東区, the year's windows, a ward editor)
//   and imports a plan; the editor types a target on an item by hand → it is linked to a new indicator; writes the year's
//   results as text → the evaluation form suggests the figure it states, which is stored
//   as the actual; the item page charts it; the city corrects the indicator (definition,
//   source) and merges a second name of it into it; a refusal is shown at its field, in
//   one language. axe-core on every page met on the way.
//
//   BASE_URL=… ADMIN_PASSWORD=… node figures.mjs

import {
  checkA11y, checklist, expectEqual, expectPageText, expectText, firstSignIn, open,
  launchBrowser, signIn, signOut,
} from './lib.mjs';

const session = await launchBrowser();
const { check, finish } = checklist(session);
const CITY = '指標市';
const WARD = '東区';

async function submit(page, selector) {
  await Promise.all([page.waitForLoadState('load'), page.click(selector)]);
}

/// This fiscal year in Japan (April to March), as the schedule form takes it.
function fiscalYear() {
  const jst = new Date(Date.now() + 9 * 3600 * 1000);
  return jst.getUTCMonth() >= 3 ? jst.getUTCFullYear() : jst.getUTCFullYear() - 1;
}

/// The first empty target row of the plan form (its index).
async function emptyTargetRow(page) {
  const rows = await page.locator('fieldset.targets .target-row').count();
  for (let i = 0; i < rows; i++) {
    if ((await page.inputValue(`#f-t${i}_value`)) === '' && (await page.inputValue(`#f-t${i}_indicator`)) === '') return i;
  }
  throw new Error('no empty target row');
}

async function addTarget(page, nodePath, indicator, value, unit) {
  await open(page, `${nodePath}/plan`);
  const i = await emptyTargetRow(page);
  await page.fill(`#f-t${i}_indicator`, indicator);
  await page.fill(`#f-t${i}_value`, value);
  await page.fill(`#f-t${i}_unit`, unit);
  await submit(page, 'form[action*="/plan?"] button[type=submit]');
  expectEqual(new URL(page.url()).pathname, nodePath, 'page after saving the plan form');
}

const fy = fiscalYear();
let nodePaths = [];
let municipality;
let editorPassword;

try {
  const page = await session.newPage();

  await check('administrator: a new city with a ward and this year\'s windows', async () => {
    await firstSignIn(page, process.env.ADMIN_LOGIN ?? 'admin', process.env.ADMIN_PASSWORD, 'e2e-admin-password-1');
    await open(page, '/admin');
    await page.fill('#f-m_code', '279994');
    await page.fill('#f-m_name', CITY);
    await submit(page, 'form[action="/admin/municipalities"] button[type=submit]');
    municipality = new URL(page.url()).searchParams.get('municipality');
    if (!municipality) throw new Error(`no municipality after creating it: ${page.url()}`);
    await expectText(page, 'p.lead', CITY);
    await expectText(page, '[role=status]', '自治体を追加しました');
    await page.fill('#f-name', WARD);
    await page.selectOption('#f-kind', 'ward');
    await submit(page, 'form[action="/admin/units"] button[type=submit]');
    await expectText(page, '[role=status]', '組織を追加しました');
    for (const phase of ['plan', 'evaluation']) {
      await page.fill('#f-fiscal_year', String(fy));
      await page.selectOption('#f-phase', phase);
      await page.fill('#f-opens_on', `${fy}-04-01`);
      await page.fill('#f-closes_on', `${fy + 1}-03-31`);
      await submit(page, 'form[action="/admin/schedule"] button[type=submit]');
      await expectText(page, '[role=status]', '受付期間を保存しました');
    }
    await expectPageText(page, WARD);
    await page.fill('#f-login', 'figures1');
    await page.fill('#f-display_name', '東区 編集者');
    await page.selectOption('#f-role', 'ward_editor');
    await page.selectOption('#f-unit', { label: `${CITY} ＞ ${WARD} (区)` });
    await submit(page, 'form[action="/admin/users"] button[type=submit]');
    editorPassword = (await page.locator('code.otp').innerText()).trim();
    if (editorPassword.length < 12) throw new Error('no one-time password shown');
    await checkA11y(page, '/admin (new city)');
  });

  await check('the new city has no indicators yet, and says so', async () => {
    await open(page, `/admin/indicators?municipality=${municipality}`);
    await expectText(page, 'p.lead', CITY);
    await expectPageText(page, 'まだ指標がありません');
    await checkA11y(page, '/admin/indicators (empty)');
  });

  await check('administrator: imports a plan into 東区 in the browser', async () => {
    const fixture = new URL('../crates/kusei-import/tests/fixtures/reform_items.txt', import.meta.url).pathname;
    await open(page, '/import');
    await page.setInputFiles('#f-file', fixture);
    await submit(page, 'form[action^="/import?"][enctype="multipart/form-data"] button[type=submit]');
    const option = page.locator('#f-unit option', { hasText: WARD }).filter({ hasText: CITY });
    const value = (await option.count()) > 0
      ? await option.first().getAttribute('value')
      : await page.locator('#f-unit option', { hasText: WARD }).last().getAttribute('value');
    await page.selectOption('#f-unit', value);
    await page.fill('#f-year', String(fy));
    await submit(page, 'form[action^="/import/confirm"] button[type=submit]');
    if (!/^\/plans\/\d+$/.test(new URL(page.url()).pathname)) throw new Error(`after confirming: ${page.url()}`);
    const hrefs = await page.locator('a[href^="/nodes/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    nodePaths = [...new Set(hrefs.map((h) => new URL(h, 'http://x').pathname))];
    if (nodePaths.length < 2) throw new Error(`items of the imported plan: ${nodePaths}`);
    await signOut(page);
    await firstSignIn(page, 'figures1', editorPassword, 'e2e-figures-password-1');
  });

  await check('the editor types a target on two items by hand', async () => {
    await addTarget(page, nodePaths[0], '講座の参加者数', '120', '人');
    await expectPageText(page, '講座の参加者数');
    // A second item names the same figure another way (merged by the city below).
    await addTarget(page, nodePaths[1], '講座参加者数', '80', '人');
  });

  await check('the evaluation form suggests the figure the results text states; saved as the actual', async () => {
    const evalPath = `${nodePaths[0]}/evaluation`;
    await open(page, evalPath);
    await page.fill('#f-results', '講座を4回開催し、講座の参加者数は135人となった。');
    await page.check('input[name=stated][value=achieved]');
    await submit(page, `form[action^="${evalPath}"] button[type=submit]`);
    expectEqual(new URL(page.url()).pathname, nodePaths[0], 'page after saving the evaluation');
    await open(page, evalPath);
    // The text states two figures (4回, 135人): both are suggested.
    const hints = page.locator('p.hint', { hasText: '取組実績の記載から読み取りました' });
    expectEqual(await hints.count(), 2, 'suggested rows');
    const hint = hints.filter({ hasText: '135人' });
    const id = (await hint.getAttribute('id')).replace(/^f-a(\d+)-src$/, '$1');
    expectEqual(await page.inputValue(`#f-a${id}_value`), '135', 'suggested value');
    expectEqual(await page.inputValue(`#f-a${id}_unit`), '人', 'suggested unit');
    await checkA11y(page, `${evalPath} (suggested actual)`);
    await submit(page, `form[action^="${evalPath}"] button[type=submit]`);
    expectEqual(new URL(page.url()).pathname, nodePaths[0], 'page after confirming');
    await open(page, evalPath);
    expectEqual(await page.locator('p.hint', { hasText: '取組実績の記載から読み取りました' }).count(), 0, 'suggestions once stored');
  });

  await check('the item page charts the indicator: target 120人, actual 135人', async () => {
    await open(page, nodePaths[0]);
    await expectPageText(page, '指標の推移');
    const table = page.locator('table', { hasText: '講座の参加者数' }).last();
    await expectText(page, 'main', '135');
    const text = await table.innerText();
    if (!text.includes('120') || !text.includes('135')) throw new Error(`series table: ${text}`);
    // The typed target is judged with the item's others (this year's column).
    await expectPageText(page, '目標2件');
    await checkA11y(page, `${nodePaths[0]} (series)`);
  });

  await check('a ward editor does not manage the city\'s indicators', async () => {
    const r = await page.request.get(new URL(`/admin/indicators?municipality=${municipality}`, page.url()).toString());
    expectEqual(r.status(), 403, 'status of /admin/indicators for a ward editor');
    await signOut(page);
    await signIn(page, process.env.ADMIN_LOGIN ?? 'admin', 'e2e-admin-password-1');
  });

  await check('the typed target is linked to a new indicator of the city', async () => {
    await open(page, `/admin/indicators?municipality=${municipality}`);
    const row = page.locator('table.indicators tr', { hasText: '講座の参加者数' });
    expectEqual(await row.count(), 1, 'rows of 講座の参加者数');
    const nums = await row.locator('td.num').allInnerTexts();
    expectEqual(nums.map((n) => n.trim()).join(' '), '1 1', 'its targets and actuals');
    // 開催回数 (4回) was stored as an actual too, linked to no target's indicator.
    await checkA11y(page, '/admin/indicators');
  });

  await check('the city corrects the indicator: definition and source', async () => {
    await open(page, `/admin/indicators?municipality=${municipality}`);
    await submit(page, 'table.indicators a:text-is("講座の参加者数")');
    await checkA11y(page, '/admin/indicators/{id}');
    await page.fill('#f-definition', '区主催の講座に参加した延べ人数');
    await page.fill('#f-source', '受付名簿');
    await page.check('#f-common');
    await submit(page, 'form[action^="/admin/indicators/"]:not([action*="merge"]) button[type=submit]');
    await expectText(page, '[role=status]', '保存しました: 講座の参加者数');
    const row = page.locator('table.indicators tr', { hasText: '講座の参加者数' });
    await expectText(page, 'table.indicators', '受付名簿');
    expectEqual((await row.locator('td').nth(2).innerText()).trim(), '共通', 'common mark');
    await checkA11y(page, '/admin/indicators (after an edit)');
  });

  await check('a refusal is at its field, in one language, and nothing is lost', async () => {
    await submit(page, 'table.indicators a:text-is("講座の参加者数")');
    await page.fill('#f-unit', '%');
    await page.fill('#f-source', '受付名簿（改）');
    await submit(page, 'form[action^="/admin/indicators/"]:not([action*="merge"]) button[type=submit]');
    await expectText(page, '#f-unit-err', '単位');
    const message = await page.locator('#f-unit-err').innerText();
    if (/[A-Za-z]{4,}/.test(message)) throw new Error(`English in a Japanese message: ${message}`);
    expectEqual(await page.inputValue('#f-source'), '受付名簿（改）', 'typed source kept');
    await checkA11y(page, '/admin/indicators/{id} (refused)');
    await open(page, `${new URL(page.url()).pathname}?lang=en`);
    await page.fill('#f-unit', '%');
    await submit(page, 'form[action^="/admin/indicators/"]:not([action*="merge"]) button[type=submit]');
    const en = await page.locator('#f-unit-err').innerText();
    if (/[\u3040-\u30ff]/.test(en.replace(/「[^」]*」|人|%/g, ''))) throw new Error(`Japanese in an English message: ${en}`);
    // The choice of language is kept (a cookie) until changed back.
    await open(page, '/?lang=ja');
  });

  await check('a second name of the same figure is merged into it: one series', async () => {
    await open(page, `/admin/indicators?municipality=${municipality}`);
    const before = await page.locator('table.indicators tbody tr').count();
    await submit(page, 'table.indicators a:text-is("講座参加者数")');
    // Nothing chosen, not confirmed: refused at both fields, nothing merged.
    await submit(page, 'form[action$="/merge?lang=ja"] button[type=submit]');
    await expectText(page, '#f-into-err', '統合先の指標を選んでください');
    await expectText(page, '#f-confirm-err', '取り消せません');
    await expectText(page, '.error-summary', '統合できませんでした');
    await checkA11y(page, '/admin/indicators/{id} (merge refused)');
    const into = page.locator('#f-into option', { hasText: '講座の参加者数' });
    await page.selectOption('#f-into', await into.getAttribute('value'));
    await page.check('#f-confirm');
    await submit(page, 'form[action$="/merge?lang=ja"] button[type=submit]');
    await expectText(page, '[role=status]', '統合しました');
    expectEqual(await page.locator('table.indicators tbody tr').count(), before - 1, 'indicators after merging');
    const row = page.locator('table.indicators tr', { hasText: '講座の参加者数' });
    expectEqual((await row.locator('td.num').first().innerText()).trim(), '2', 'targets of the kept indicator');
    await submit(page, 'table.indicators a:text-is("講座の参加者数")');
    await expectPageText(page, '統合された名称: 講座参加者数');
    // Each item shows its own figures of the merged indicator for this year.
    await open(page, nodePaths[1]);
    const own = await page.locator('section.series').innerText();
    if (!own.includes('80') || own.includes('135')) throw new Error(`second item's series: ${own}`);
  });

  await check('no external requests, no dialogs, no console errors', async () => session.assertClean());
} catch (e) {
  console.log(`FAIL - scenario stopped: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await session.close();
}
finish();
