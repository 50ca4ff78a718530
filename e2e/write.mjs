// A plan written by hand, in a real browser, with no import and no command line:
//   the administrator sets up a new city (a wrong 団体コード is refused at the field), its
//   ward, a division and two sections with contacts, the year's windows, a ward editor,
//   two section editors and an approver; revokes and restores a user. The ward editor
//   writes a 区運営方針 (1 経営課題, 2 戦略, 3 具体的取組, one shown again as 再掲) and a
//   取組項目 plan, gives the items to the two sections, deletes one and undoes it. Each
//   section editor finds only its own items and enters its review; the progress table
//   says what is still open. axe-core on every page met.
//
//   BASE_URL=… ADMIN_PASSWORD=… node write.mjs

import {
  checkA11y, checklist, expectEqual, expectPageText, expectText, firstSignIn, open,
  launchBrowser, signIn, signOut,
} from './lib.mjs';

const session = await launchBrowser();
const { check, finish } = checklist(session);
const CITY = '手書市';
const WARD = '北区';

async function submit(page, selector) {
  await Promise.all([page.waitForLoadState('load'), page.click(selector)]);
}

/// This fiscal year in Japan (April to March).
function fiscalYear() {
  const jst = new Date(Date.now() + 9 * 3600 * 1000);
  return jst.getUTCMonth() >= 3 ? jst.getUTCFullYear() : jst.getUTCFullYear() - 1;
}

/// The value of the first option of `select` whose text contains every one of `texts`.
async function optionValue(page, select, ...texts) {
  let options = page.locator(`${select} option`);
  for (const t of texts) options = options.filter({ hasText: t });
  if ((await options.count()) === 0) throw new Error(`${select}: no option with ${texts.join(' + ')}`);
  return options.first().getAttribute('value');
}

/// The structure table's row of an item (by its own link, not the options of its selects).
function itemRow(page, title) {
  return page.locator('tr[id^="item-"]').filter({ has: page.locator('td > a', { hasText: title }) }).first();
}

async function pick(page, select, ...texts) {
  await page.selectOption(select, await optionValue(page, select, ...texts));
}

const fy = fiscalYear();
const passwords = {};
let municipality;
let planPath;
const items = {};

try {
  const page = await session.newPage();

  await check('administrator: a wrong 団体コード is refused at the field, a right one makes the city', async () => {
    await firstSignIn(page, process.env.ADMIN_LOGIN ?? 'admin', process.env.ADMIN_PASSWORD, 'e2e-admin-password-1');
    await open(page, '/admin');
    await page.fill('#f-m_code', '282015');
    await page.fill('#f-m_name', CITY);
    await submit(page, 'form[action="/admin/municipalities"] button[type=submit]');
    await expectText(page, '#f-m_code-err', '検査数字');
    // What was typed is still there.
    expectEqual(await page.inputValue('#f-m_code'), '282015', 'the code typed');
    expectEqual(await page.inputValue('#f-m_name'), CITY, 'the name typed');
    await checkA11y(page, '/admin (a wrong code)');
    await page.fill('#f-m_code', '282014');
    await page.fill('#f-m_name', CITY);
    await submit(page, 'form[action="/admin/municipalities"] button[type=submit]');
    municipality = new URL(page.url()).searchParams.get('municipality');
    if (!municipality) throw new Error(`no municipality: ${page.url()}`);
  });

  await check('administrator: the ward, a division, two sections with contacts, the windows', async () => {
    const unit = async (name, kind, parent, phone) => {
      await page.fill('#f-name', name);
      await page.selectOption('#f-kind', kind);
      if (parent) await pick(page, '#f-parent', parent);
      if (phone) await page.fill('#f-phone', phone);
      await submit(page, 'form[action="/admin/units"] button[type=submit]');
      await expectText(page, '[role=status]', '組織を追加しました');
    };
    await unit(WARD, 'ward', null, null);
    await unit('総務課', 'division', `${WARD} (区)`, null);
    await unit('企画担当', 'section', '総務課', '06-1111-1111');
    await unit('窓口担当', 'section', '総務課', '06-2222-2222');
    await expectPageText(page, '06-1111-1111');
    for (const phase of ['plan', 'review', 'evaluation']) {
      await page.fill('#f-fiscal_year', String(fy));
      await page.selectOption('#f-phase', phase);
      await page.fill('#f-opens_on', `${fy}-04-01`);
      await page.fill('#f-closes_on', `${fy + 1}-03-31`);
      await submit(page, 'form[action="/admin/schedule"] button[type=submit]');
      await expectText(page, '[role=status]', '受付期間を保存しました');
    }
    await checkA11y(page, '/admin (a new city)');
  });

  await check('administrator: a ward editor, two section editors and an approver', async () => {
    for (const [login, role, unit] of [
      ['wr-editor', 'ward_editor', `${WARD} (区)`],
      ['wr-kikaku', 'section_editor', '企画担当'],
      ['wr-madoguchi', 'section_editor', '窓口担当'],
      ['wr-boss', 'approver', `${WARD} (区)`],
    ]) {
      await page.fill('#f-login', login);
      await page.fill('#f-display_name', login);
      await page.selectOption('#f-role', role);
      await pick(page, '#f-unit', unit);
      await submit(page, 'form[action="/admin/users"] button[type=submit]');
      passwords[login] = (await page.locator('code.otp').innerText()).trim();
      if (passwords[login].length < 12) throw new Error(`no one-time password for ${login}`);
    }
  });

  await check('administrator: disables a user, sees it in the log, then restores the user', async () => {
    await open(page, `/admin/users/wr-boss?municipality=${municipality}`);
    await checkA11y(page, '/admin/users/wr-boss');
    await submit(page, 'form:has(input[name=action][value=disable]) button[type=submit]');
    await expectText(page, '[role=status]', '利用を停止しました');
    await expectPageText(page, '利用停止中');
    await submit(page, 'form:has(input[name=action][value=enable]) button[type=submit]');
    await expectText(page, '[role=status]', '利用を再開しました');
    await submit(page, 'form:has(input[name=action][value=reset]) button[type=submit]');
    passwords['wr-boss'] = (await page.locator('code.otp').innerText()).trim();
    await open(page, `/admin/security?municipality=${municipality}`);
    await expectPageText(page, '利用停止');
    await expectPageText(page, '一時パスワード再発行');
    await checkA11y(page, '/admin/security');
    await open(page, `/admin/security?municipality=${municipality}&lang=en`);
    await expectPageText(page, 'user disabled');
    await signOut(page);
  });

  await check('ward editor: writes a 区運営方針 by hand', async () => {
    await firstSignIn(page, 'wr-editor', passwords['wr-editor'], 'e2e-write-editor-password-1');
    await submit(page, 'a[href^="/plans/new"]');
    await checkA11y(page, '/plans/new');
    await pick(page, '#f-unit', WARD);
    await page.selectOption('#f-family', 'management_sheet');
    await page.fill('#f-period', String(fy));
    await page.fill('#f-title', `${WARD} 区運営方針（手書き）`);
    await submit(page, 'form[action^="/plans/new"] button[type=submit]');
    const path = new URL(page.url()).pathname;
    if (!/^\/plans\/\d+\/structure$/.test(path)) throw new Error(`after creating: ${page.url()}`);
    planPath = path.replace(/\/structure$/, '');
    await expectText(page, '[role=status]', '計画を作成しました');
    const add = async (parent, level, number, title) => {
      if (parent) await pick(page, '#f-parent', parent);
      else await page.selectOption('#f-parent', '');
      await page.selectOption('#f-level', level);
      await page.fill('#f-number', number);
      await page.fill('#f-title', title);
      await submit(page, 'form:has(input[name=action][value=add]) button[type=submit]');
      await expectText(page, '[role=status]', '項目を追加しました');
      const id = await itemRow(page, title).getAttribute('id');
      items[title] = id.replace('item-', '');
    };
    await add(null, '経営課題', '1', '安全なまち');
    await add('安全なまち', '戦略', '1-1', '防災の備え');
    await add('安全なまち', '戦略', '1-2', '地域の見守り');
    await add('防災の備え', '具体的取組', '1-1-1', '防災訓練');
    await add('防災の備え', '具体的取組', '1-1-2', '備蓄の点検');
    await add('地域の見守り', '具体的取組', '1-2-1', '見守り活動');
    await checkA11y(page, `${planPath}/structure`);
  });

  await check('ward editor: shows 防災訓練 again under the second 戦略, moves an item, sets the 担当', async () => {
    await pick(page, `#rep-${items['防災訓練']}`, '地域の見守り');
    await submit(page, `form:has(#rep-${items['防災訓練']}) button[type=submit]`);
    await expectText(page, '[role=status]', '再掲しました');
    await expectText(page, 'tr.repeat', '防災訓練');
    await checkA11y(page, `${planPath}/structure with a 再掲`);
    await submit(page, `tr#item-${items['備蓄の点検']} form:has(input[value=up]) button[type=submit]`);
    await expectText(page, '[role=status]', '並べ替えました');
    const order = await page.locator('tbody tr[id^="item-"] td > a').allInnerTexts();
    if (order.findIndex((t) => t.includes('備蓄の点検')) > order.findIndex((t) => t.includes('防災訓練'))) {
      throw new Error(`備蓄の点検 did not move up: ${order.join(' | ')}`);
    }
    for (const [titles, section] of [[['防災訓練', '備蓄の点検'], '企画担当'], [['見守り活動'], '窓口担当']]) {
      for (const t of titles) await page.check(`#pick-${items[t]}`);
      await pick(page, '#f-owner', section);
      await submit(page, 'form#owners button[type=submit]');
      await expectText(page, '[role=status]', '担当を設定しました');
    }
    await expectText(page, `tr#item-${items['見守り活動']}`, '窓口担当');
    await expectText(page, `tr#item-${items['防災訓練']}`, '企画担当');
  });

  await check('ward editor: a delete says what goes with it, and can be undone', async () => {
    await submit(page, `tr#item-${items['防災の備え']} a[href$="/delete?lang=ja"]`);
    await checkA11y(page, 'delete confirmation');
    await expectPageText(page, '防災訓練');
    await expectPageText(page, '備蓄の点検');
    await expectPageText(page, '再掲');
    await submit(page, 'form[action*="/delete"] button[type=submit]');
    await expectText(page, '[role=status]', '項目を削除しました');
    if ((await page.locator('tr[id^="item-"] td > a', { hasText: '防災訓練' }).count()) !== 0) throw new Error('防災訓練 is still there');
    await submit(page, 'form:has(input[name=action][value=restore]) button[type=submit]');
    await expectText(page, '[role=status]', '元に戻しました');
    await expectPageText(page, '防災の備え');
    // What went with it is back: the items under it and the 再掲.
    await expectText(page, 'tr.repeat', '防災訓練');
    if ((await page.locator('tr[id^="item-"] td > a', { hasText: '備蓄の点検' }).count()) !== 1) throw new Error('備蓄の点検 not restored');
    // Restored items have new ids: read them again.
    for (const t of ['防災の備え', '防災訓練', '備蓄の点検']) {
      items[t] = (await itemRow(page, t).getAttribute('id')).replace('item-', '');
    }
  });

  await check('ward editor: the 取組項目 plan with two items', async () => {
    await open(page, '/plans/new');
    await pick(page, '#f-unit', WARD);
    await page.selectOption('#f-family', 'reform_items');
    await page.fill('#f-period', String(fy));
    await page.fill('#f-title', `${WARD} 市政改革プランに基づく取組`);
    await submit(page, 'form[action^="/plans/new"] button[type=submit]');
    for (const [n, t] of [['1', '窓口サービスの向上'], ['2', 'ペーパーレス化']]) {
      await page.selectOption('#f-level', '取組項目');
      await page.fill('#f-number', n);
      await page.fill('#f-title', t);
      await submit(page, 'form:has(input[name=action][value=add]) button[type=submit]');
      await expectText(page, '[role=status]', '項目を追加しました');
    }
    await open(page, `${planPath}/structure?lang=en`);
    await expectPageText(page, 'Items and structure');
    await signOut(page);
  });

  await check('each section editor sees only its items and enters its review', async () => {
    for (const [login, mine, other] of [
      ['wr-kikaku', '防災訓練', '見守り活動'],
      ['wr-madoguchi', '見守り活動', '防災訓練'],
    ]) {
      await firstSignIn(page, login, passwords[login], `e2e-${login}-password-1`);
      await expectText(page, 'section[aria-labelledby=mine-h]', mine);
      const text = await page.locator('section[aria-labelledby=mine-h]').innerText();
      if (text.includes(other)) throw new Error(`${login} sees ${other} among its items`);
      await checkA11y(page, `/ as ${login}`);
      await submit(page, `section[aria-labelledby=mine-h] tr:has-text("${mine}") a[href$="/review?lang=ja"]`);
      await page.check('input[name=implementation][value=expected]');
      await page.check('input[name=achievement][value=on_track]');
      await submit(page, 'form[action*="/review?"] button[type=submit]');
      await expectText(page, '[role=status]', '保存しました');
      await signOut(page);
    }
  });

  await check('the progress table says what is still open, by 担当', async () => {
    await signIn(page, 'wr-editor', 'e2e-write-editor-password-1');
    await open(page, `${planPath}/progress`);
    await checkA11y(page, `${planPath}/progress`);
    await expectText(page, `tr:has-text("見守り活動") td.progress-done`, '入力済み');
    await expectText(page, `tr:has-text("見守り活動") td.progress-empty`, '未入力');
    await pick(page, '#f-owner', '窓口担当');
    await submit(page, 'form[action$="/progress"] button[type=submit]');
    const rows = await page.locator('tbody tr').count();
    expectEqual(rows, 1, 'rows for 窓口担当');
    await open(page, `${planPath}/progress?lang=en`);
    await expectPageText(page, 'not entered');
  });
} catch (e) {
  console.log(`FAIL - scenario stopped: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await session.close();
}
finish();
