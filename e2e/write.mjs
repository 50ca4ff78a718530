// A city started from NOTHING, in a real browser, with no import and no command line
// (the server runs with --no-sample: only the administrator exists):
//   the administrator sets up a new city (a wrong 団体コード is refused at the field), its
//   ward, a division and two sections with contacts, the year's windows, a ward editor,
//   two section editors and an approver (a role on the wrong kind of unit is refused at the
//   field); revokes and restores a user. The ward editor writes a 区運営方針 (1 経営課題,
//   2 戦略, 3 具体的取組, one shown again as 再掲; a level under the wrong parent refused)
//   and a 取組項目 plan, gives the items to the two sections, deletes one and undoes it
//   (the plan's history says so). Each section editor finds only its own items and enters
//   the plan, the mid-year review and the evaluation; the progress table goes from open
//   cells to none; submit → approve → publish; a signed-out citizen reads both plans.
//   The reform office reads the roll-up, switches the grading to A–D after a preview and
//   adds a common indicator. A citizen searches the city (in a browser without
//   JavaScript too): the word marked, a facet, the item's public page, no results, a
//   refused filter. axe-core on every page met.
//
//   BASE_URL=… ADMIN_PASSWORD=… node write.mjs

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_FLAGS, checkA11y, checklist, chromiumPath, expectEqual, expectPageText, expectText,
  firstSignIn, open, launchBrowser, signIn, signOut,
} from './lib.mjs';
import { cellOf, replaceText, setNumberInRow, setTextInRow } from './xlsx.mjs';

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
let reformPath;
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
      if (phone) {
        await page.fill('#f-phone', phone);
        await page.fill('#f-fax', phone.replace(/1|2$/, '9'));
        await page.fill('#f-duties', `${name}の業務（区政の企画、窓口案内）`);
      }
      await submit(page, 'form[action="/admin/units"] button[type=submit]');
      await expectText(page, '[role=status]', '組織を追加しました');
    };
    await unit(WARD, 'ward', null, null);
    await unit('総務課', 'division', `${WARD} (区)`, null);
    await unit('企画担当', 'section', '総務課', '06-1111-1111');
    await unit('窓口担当', 'section', '総務課', '06-2222-2222');
    await unit('旧広報担当', 'section', '総務課', null);
    await expectPageText(page, '06-1111-1111');
    // A unit no longer used is retired: it stays listed, marked, and is offered for nothing.
    await submit(page, 'ul.units a:has-text("旧広報担当")');
    await checkA11y(page, '/admin/units/{id}');
    await submit(page, 'form:has(input[name=action][value=retire]) button[type=submit]');
    await expectText(page, '[role=status]', '組織を廃止しました');
    await expectText(page, 'ul.units li:has-text("旧広報担当")', '廃止');
    if ((await page.locator('#f-unit option', { hasText: '旧広報担当' }).count()) !== 0) throw new Error('a retired unit is offered for roles');
    for (const phase of ['plan', 'review', 'evaluation']) {
      await page.fill('#f-fiscal_year', String(fy));
      await page.selectOption('#f-phase', phase);
      await page.fill('#f-opens_on', `${fy}-04-01`);
      await page.fill('#f-closes_on', `${fy + 1}-03-31`);
      await submit(page, 'form[action="/admin/schedule"] button[type=submit]');
      await expectText(page, '[role=status]', '受付期間を保存しました');
    }
    // Next year's plan is written this year.
    await page.fill('#f-fiscal_year', String(fy + 1));
    await page.selectOption('#f-phase', 'plan');
    await page.fill('#f-opens_on', `${fy}-04-01`);
    await page.fill('#f-closes_on', `${fy + 2}-03-31`);
    await submit(page, 'form[action="/admin/schedule"] button[type=submit]');
    await expectText(page, '[role=status]', '受付期間を保存しました');
    await checkA11y(page, '/admin (a new city)');
  });

  await check('administrator: a role on the wrong kind of unit is refused at the field, with the form kept', async () => {
    await page.fill('#f-login', 'wr-wrong');
    await page.fill('#f-display_name', '誤り');
    await page.selectOption('#f-role', 'section_editor');
    await pick(page, '#f-unit', `${WARD} (区)`);
    await submit(page, 'form[action="/admin/users"] button[type=submit]');
    await expectText(page, '#f-unit-err', '課または担当');
    expectEqual(await page.inputValue('#f-login'), 'wr-wrong', 'the login typed');
    expectEqual(await page.inputValue('#f-role'), 'section_editor', 'the role chosen');
    await checkA11y(page, '/admin (a role on the wrong unit)');
  });

  await check('administrator: a ward editor, two section editors and an approver', async () => {
    for (const [login, role, unit] of [
      ['wr-editor', 'ward_editor', `${WARD} (区)`],
      ['wr-kikaku', 'section_editor', '企画担当'],
      ['wr-madoguchi', 'section_editor', '窓口担当'],
      ['wr-boss', 'approver', `${WARD} (区)`],
      ['wr-member', 'council_member', `${WARD} (区)`],
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
    // Asked once more, saying what it does.
    await expectPageText(page, '利用を停止します');
    await checkA11y(page, '/admin/users/wr-boss (confirm)');
    await submit(page, 'form:has(input[name=confirm]) button[type=submit]');
    await expectText(page, '[role=status]', '利用を停止しました');
    await expectPageText(page, '利用停止中');
    await submit(page, 'form:has(input[name=action][value=enable]) button[type=submit]');
    await expectText(page, '[role=status]', '利用を再開しました');
    await submit(page, 'form:has(input[name=action][value=reset]) button[type=submit]');
    await submit(page, 'form:has(input[name=confirm]) button[type=submit]');
    passwords['wr-boss'] = (await page.locator('code.otp').innerText()).trim();
    await open(page, `/admin/security?municipality=${municipality}`);
    await expectPageText(page, '利用停止');
    await expectPageText(page, '一時パスワード再発行');
    await checkA11y(page, '/admin/security');
    await open(page, `/admin/security?municipality=${municipality}&lang=en`);
    await expectPageText(page, 'user disabled');
    await open(page, '/?lang=ja');
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
    // The link beside an item presets the place and the next level.
    await submit(page, `tr#item-${items['安全なまち']} a[href*="under="]`);
    expectEqual(await page.inputValue('#f-parent'), items['安全なまち'], 'the place preset');
    expectEqual(await page.inputValue('#f-level'), '戦略', 'the level preset');
    await add('安全なまち', '戦略', '1-1', '防災の備え');
    // A level that does not fit under its parent is refused at the field, the typing kept.
    await pick(page, '#f-parent', '防災の備え');
    await page.selectOption('#f-level', '経営課題');
    await page.fill('#f-title', '置けない項目');
    await submit(page, 'form:has(input[name=action][value=add]) button[type=submit]');
    await expectText(page, '#f-level-err', '具体的取組');
    expectEqual(await page.inputValue('#f-title'), '置けない項目', 'the title typed');
    await checkA11y(page, `${planPath}/structure with an error`);
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
    // It is back where it was (the first 戦略), under its own id.
    const order = await page.locator('tbody tr[id^="item-"] td > a').allInnerTexts();
    if (order.findIndex((t) => t.includes('防災の備え')) > order.findIndex((t) => t.includes('地域の見守り'))) {
      throw new Error(`防災の備え did not come back first: ${order.join(' | ')}`);
    }
    // A 再掲 can be ended from its own row, and made again.
    await submit(page, 'tr.repeat form:has(input[value=unrepeat]) button[type=submit]');
    await expectText(page, '[role=status]', '再掲をやめました');
    expectEqual(await page.locator('tr.repeat').count(), 0, '再掲 rows after ending it');
    await pick(page, `#rep-${items['防災訓練']}`, '地域の見守り');
    await submit(page, `form:has(#rep-${items['防災訓練']}) button[type=submit]`);
    await expectText(page, 'tr.repeat', '防災訓練');
    // The plan's history lists the delete as restored, and offers no second undo.
    await open(page, `${planPath}/history`);
    await checkA11y(page, `${planPath}/history`);
    await expectText(page, 'section[aria-labelledby=deleted-h]', '防災の備え');
    await expectText(page, 'section[aria-labelledby=deleted-h]', '元に戻しました');
    expectEqual(await page.locator('section[aria-labelledby=deleted-h] button').count(), 0, 'undo buttons left');
    // And every structure change, in order.
    for (const what of ['項目を追加', '項目を並べ替え', '再掲を追加', '担当を設定', '項目を削除', '削除した項目を元に戻す', '再掲をやめる']) {
      await expectText(page, 'section[aria-labelledby=steps-h]', what);
    }
    await open(page, `${planPath}/structure`);
  });

  await check('ward editor: the 取組項目 plan with two items', async () => {
    await open(page, '/plans/new');
    await pick(page, '#f-unit', WARD);
    await page.selectOption('#f-family', 'reform_items');
    await page.fill('#f-period', String(fy));
    await page.fill('#f-title', `${WARD} 市政改革プランに基づく取組`);
    await submit(page, 'form[action^="/plans/new"] button[type=submit]');
    reformPath = new URL(page.url()).pathname.replace(/\/structure$/, '');
    for (const [n, t] of [['1', '窓口サービスの向上'], ['2', 'ペーパーレス化']]) {
      await page.selectOption('#f-level', '取組項目');
      await page.fill('#f-number', n);
      await page.fill('#f-title', t);
      await submit(page, 'form:has(input[name=action][value=add]) button[type=submit]');
      await expectText(page, '[role=status]', '項目を追加しました');
      items[t] = (await itemRow(page, t).getAttribute('id')).replace('item-', '');
    }
    for (const [t, section] of [['窓口サービスの向上', '企画担当'], ['ペーパーレス化', '窓口担当']]) {
      await page.check(`#pick-${items[t]}`);
      await pick(page, '#f-owner', section);
      await submit(page, 'form#owners button[type=submit]');
      await expectText(page, '[role=status]', '担当を設定しました');
    }
    // The ward editor sees what is still open, by item and phase.
    await open(page, `${reformPath}/progress`);
    await expectText(page, 'p[role=status]', '未完了の欄: 6');
    await open(page, `${planPath}/structure?lang=en`);
    await expectPageText(page, 'Items and structure');
    await open(page, '/?lang=ja');
    await signOut(page);
  });

  await check('each section editor sees only its items and enters the plan, the review and the evaluation', async () => {
    for (const [login, mine, other] of [
      ['wr-kikaku', ['防災訓練', '備蓄の点検', '窓口サービスの向上'], '見守り活動'],
      ['wr-madoguchi', ['見守り活動', 'ペーパーレス化'], '防災訓練'],
    ]) {
      await firstSignIn(page, login, passwords[login], `e2e-${login}-password-1`);
      const text = await page.locator('section[aria-labelledby=mine-h]').innerText();
      for (const t of mine) if (!text.includes(t)) throw new Error(`${login} does not see ${t}: ${text}`);
      if (text.includes(other)) throw new Error(`${login} sees ${other} among its items`);
      await checkA11y(page, `/ as ${login}`);
      for (const t of mine) {
        const node = `/nodes/${items[t]}`;
        await open(page, `${node}/plan`);
        if (t === mine[0]) await checkA11y(page, `${node}/plan as ${login}`);
        await page.fill('#f-s0_body', `${t}を年2回実施し、区民の参加を広げる。`);
        await page.fill('#f-t0_indicator', `${t}の参加者数`);
        await page.fill('#f-t0_value', '100');
        await page.fill('#f-t0_unit', '人');
        await submit(page, 'form[action*="/plan?"] button[type=submit]');
        await expectText(page, '[role=status]', '保存しました');
        await open(page, `${node}/review`);
        await page.check('input[name=implementation][value=expected]');
        await page.check('input[name=achievement][value=on_track]');
        await submit(page, 'form[action*="/review?"] button[type=submit]');
        await expectText(page, '[role=status]', '保存しました');
        await open(page, `${node}/evaluation`);
        if (t === mine[0]) await checkA11y(page, `${node}/evaluation as ${login}`);
        await page.fill('#f-results', `${t}を2回実施し、参加者は120人だった。`);
        // The actual row is offered for the target's indicator.
        await page.fill('#f-a0_value', '120');
        await page.fill('#f-a0_unit', '人');
        await page.check('input[name=stated][value=achieved]');
        await submit(page, 'form[action*="/evaluation?"] button[type=submit]');
        await expectText(page, '[role=status]', '保存しました');
      }
      // The structure page is the ward editor's: a section editor is told where to go.
      const structure = await page.request.get(`${process.env.BASE_URL}${planPath}/structure`);
      expectEqual(structure.status(), 403, `${login} on the structure page`);
      // Another section's item is refused.
      const res = await page.request.get(`${process.env.BASE_URL}/nodes/${items[other]}/plan`);
      if (res.status() !== 403 && res.status() !== 404) throw new Error(`${login} opened ${other}'s form: ${res.status()}`);
      await signOut(page);
    }
  });

  await check('the progress table shows nothing open any more, by 担当 too', async () => {
    await signIn(page, 'wr-editor', 'e2e-write-editor-password-1');
    for (const path of [planPath, reformPath]) {
      await open(page, `${path}/progress`);
      await checkA11y(page, `${path}/progress`);
      await expectText(page, 'p[role=status]', 'すべて入力済みです');
      if ((await page.locator('td.progress-empty, td.progress-remedy, td.progress-check').count()) !== 0) throw new Error(`${path}: cells still open`);
    }
    await open(page, `${planPath}/progress`);
    await expectText(page, 'tr:has-text("見守り活動") td.progress-done', '入力済み');
    await pick(page, '#f-owner', '窓口担当');
    await submit(page, 'form[action$="/progress"] button[type=submit]');
    expectEqual(await page.locator('tbody tr').count(), 1, 'rows for 窓口担当');
    await open(page, `${planPath}/progress?lang=en`);
    await expectPageText(page, 'Everything is entered');
    await open(page, '/?lang=ja');
  });

  await check('the item pages lead to the previous and the next item', async () => {
    await open(page, `${planPath}/structure`);
    const ids = (await page.locator('tbody tr[id^="item-"]').evaluateAll((rows) => rows.map((r) => r.id.replace('item-', ''))));
    const [before, middle, after] = ids.slice(1, 4);
    await open(page, `/nodes/${middle}`);
    expectEqual(new URL(await page.getAttribute('nav.pager a[rel=prev]', 'href'), 'http://x').pathname, `/nodes/${before}`, 'the previous item');
    expectEqual(new URL(await page.getAttribute('nav.pager a[rel=next]', 'href'), 'http://x').pathname, `/nodes/${after}`, 'the next item');
    await checkA11y(page, `/nodes/${middle}`);
  });

  await check('ward editor submits both plans; the approver finds them in the inbox and returns one with a reason', async () => {
    for (const path of [planPath, reformPath]) {
      await open(page, path);
      await submit(page, 'form.step:has(input[value=submit]) button');
      await expectText(page, '.workflow', '承認待ち');
    }
    await signOut(page);
    await firstSignIn(page, 'wr-boss', passwords['wr-boss'], 'e2e-wr-boss-password-1');
    await expectText(page, 'section.inbox', '承認待ちの計画 (2)');
    await checkA11y(page, '/ (the approver\'s inbox)');
    await submit(page, `section.inbox a[href^="${reformPath}"]`);
    await page.fill('#f-comment', 'ペーパーレス化の目標を具体的な数値にしてください。');
    await submit(page, 'form.step:has(input[value=return]) button');
    await expectText(page, '.workflow', '作成中');
    await signOut(page);
  });

  await check('the ward editor sees the return flagged with its reason, and submits again', async () => {
    await signIn(page, 'wr-editor', 'e2e-write-editor-password-1');
    await expectText(page, 'section.inbox', 'ペーパーレス化の目標を具体的な数値にしてください。');
    await expectText(page, `tr:has(a[href^="${reformPath}?"]) .badge.returned`, '差戻し');
    await open(page, reformPath);
    await expectText(page, '.notice.returned', 'ペーパーレス化の目標を具体的な数値にしてください。');
    await checkA11y(page, `${reformPath} (returned)`);
    await submit(page, 'form.step:has(input[value=submit]) button');
    await expectText(page, '.workflow', '承認待ち');
    await signOut(page);
  });

  await check('the approver approves and publishes both', async () => {
    await signIn(page, 'wr-boss', 'e2e-wr-boss-password-1');
    for (const path of [planPath, reformPath]) {
      await open(page, path);
      await submit(page, 'form.step:has(input[value=approve]) button');
      // Approving says what will become public, and asks once.
      await expectText(page, 'h1', '承認の確認');
      await expectPageText(page, 'まだ公表されたことのない計画です');
      await checkA11y(page, `${path} approval confirmation`);
      await submit(page, 'form.step:has(input[name=confirm]) button');
      await expectText(page, '.workflow', '承認済み');
      await submit(page, 'form.step:has(input[value=publish]) button');
      await submit(page, 'form.step:has(input[name=confirm]) button');
      await expectText(page, '.workflow', '公表済み');
    }
    await signOut(page);
  });

  await check('a citizen (signed out) finds and reads both published plans', async () => {
    await open(page, '/');
    await checkA11y(page, '/ (public, a city from nothing)');
    for (const path of [planPath, reformPath]) {
      if ((await page.locator(`a[href^="${path}"]`).count()) === 0) throw new Error(`${path} is not listed for the public`);
    }
    await open(page, planPath);
    await expectPageText(page, '公表版');
    await expectPageText(page, '見守り活動を2回実施し、参加者は120人だった。');
    await expectPageText(page, '防災訓練を年2回実施し、区民の参加を広げる。');
    await checkA11y(page, `${planPath} (public)`);
    await open(page, reformPath);
    await expectPageText(page, 'ペーパーレス化');
    if ((await page.locator('.workflow').count()) !== 0) throw new Error('the public page shows the working copy panel');
  });

  let councilPath;
  let opinionOnItem;
  let fromMinutes;
  await check('区政会議: a member gives an opinion on an item and an 評価 on another (a rating required); staff record a meeting and an opinion from its minutes', async () => {
    await firstSignIn(page, 'wr-member', passwords['wr-member'], 'e2e-write-member-password-1');
    await open(page, planPath);
    await submit(page, `a[href^="${planPath}/opinions/new"]`);
    await checkA11y(page, `${planPath}/opinions/new`);
    await page.selectOption('#f-target', `node-${items['防災訓練']}`);
    await page.selectOption('#f-category', 'opinion');
    await page.fill('#f-body', '防災訓練に子ども向けの回をつくってほしい。');
    await page.check('#f-name_public');
    await submit(page, 'form[action*="/opinions?"] button[type=submit]');
    opinionOnItem = new URL(page.url()).pathname;
    if (!/^\/opinions\/\d+$/.test(opinionOnItem)) throw new Error(`after giving an opinion: ${page.url()}`);
    await expectPageText(page, '防災訓練に子ども向けの回をつくってほしい。');
    // An evaluation without the member's rating: refused at the field, the text kept.
    await open(page, `${planPath}/opinions/new?node=${items['見守り活動']}`);
    expectEqual(await page.inputValue('#f-target'), `node-${items['見守り活動']}`, 'the item preset');
    await page.selectOption('#f-category', 'evaluation');
    await page.fill('#f-body', '見守り活動の自己評価はおおむね妥当だと思う。');
    await submit(page, 'form[action*="/opinions?"] button[type=submit]');
    await expectText(page, '#f-rating-err', '委員の評価');
    expectEqual(await page.inputValue('#f-body'), '見守り活動の自己評価はおおむね妥当だと思う。', 'the opinion typed');
    await checkA11y(page, 'the opinion form with an error');
    await page.selectOption('#f-rating', 'mostly');
    await submit(page, 'form[action*="/opinions?"] button[type=submit]');
    await expectPageText(page, '区の自己評価はおおむね妥当');
    await signOut(page);

    await signIn(page, 'wr-editor', 'e2e-write-editor-password-1');
    await open(page, planPath);
    councilPath = await page.locator('a[href^="/council/"]').first().getAttribute('href');
    councilPath = councilPath.split('?')[0];
    await open(page, `${councilPath}?year=${fy}`);
    await checkA11y(page, `${councilPath} (the ward's staff)`);
    await page.selectOption('#f-kind', 'plenary');
    await page.fill('#f-name', '第1回区政会議');
    await page.fill('#f-held_on', `${fy}-06-12`);
    await page.fill('#f-attendance', '15');
    await page.fill('#f-agenda', '区運営方針について');
    await submit(page, 'form[action*="/meetings"] button[type=submit]');
    await expectText(page, '[role=status]', '会議を登録しました');
    await page.selectOption('#f-target', { index: 0 });
    await page.selectOption('#f-category', 'request');
    await page.selectOption('#f-meeting', { index: 1 });
    await page.fill('#f-body', '区政会議の開始時刻を夜にしてほしい。');
    await submit(page, 'form[action*="/council/"][action*="/opinions"] button[type=submit]');
    await expectText(page, '[role=status]', '意見を登録しました');
    const minutes = page.locator('article.opinion', { hasText: '区政会議の開始時刻を夜にしてほしい。' });
    await expectText(page, 'main', '議事録から入力');
    fromMinutes = await minutes.locator('a[href^="/opinions/"]').getAttribute('href');
    fromMinutes = fromMinutes.split('?')[0];
  });

  await check('the ward answers: 反映済み linked to a changed item of next year\'s plan, 反映困難 refused without a reason; then publishes', async () => {
    // Next year's plan, with 防災訓練 changed as the member asked.
    await open(page, planPath);
    await submit(page, 'form[action$="/copy-forward"] button[type=submit]');
    const nextPlan = new URL(page.url()).pathname;
    const anchor = await page.locator('nav.toc a', { hasText: '防災訓練' }).first().getAttribute('href');
    const nextItem = anchor.replace('#node-', '');
    await open(page, `/nodes/${nextItem}/plan`);
    await page.fill('#f-s0_body', '防災訓練を年2回実施し、うち1回は子ども向けとする。');
    await submit(page, 'form[action*="/plan?"] button[type=submit]');
    await expectText(page, '[role=status]', '保存しました');
    // The member's opinion: 反映済み, reflected in that item, reported at the meeting.
    await open(page, opinionOnItem);
    await page.fill('#f-answer', '来年度の防災訓練に子ども向けの回を設けます。');
    await page.check('input[name=reflection][value=reflected]');
    await page.selectOption('#f-reflected_node', nextItem);
    await page.selectOption('#f-reported_meeting', { index: 1 });
    await submit(page, 'form:has(input[name=action][value=answer]) button[type=submit]');
    await expectText(page, '[role=status]', '回答を保存しました');
    await checkA11y(page, `${opinionOnItem} (answered)`);
    // The opinion from the minutes: 反映困難 needs its reason.
    await open(page, fromMinutes);
    await page.fill('#f-answer', '会場の都合により、夜間の開催は難しい状況です。');
    await page.check('input[name=reflection][value=not_possible]');
    await submit(page, 'form:has(input[name=action][value=answer]) button[type=submit]');
    await expectText(page, '#f-reason-err', '理由を入力してください');
    expectEqual(await page.inputValue('#f-answer'), '会場の都合により、夜間の開催は難しい状況です。', 'the answer typed');
    await checkA11y(page, `${fromMinutes} (the reason asked for)`);
    await page.fill('#f-reason', '区民センターの夜間利用ができないため。');
    await submit(page, 'form:has(input[name=action][value=answer]) button[type=submit]');
    await expectText(page, '[role=status]', '回答を保存しました');
    await open(page, `${councilPath}?year=${fy}`);
    await submit(page, 'form[action*="/publish"] button[type=submit]');
    // Asked once, listing what becomes public.
    await expectText(page, 'h1', '回答の公表の確認');
    await expectPageText(page, '来年度の防災訓練に子ども向けの回を設けます。');
    await checkA11y(page, 'the publication of the answers (confirm)');
    await submit(page, 'form:has(input[name=confirm]) button[type=submit]');
    await expectText(page, '[role=status]', '回答を公表しました');
    await signOut(page);
    if (!nextPlan) throw new Error('no next year plan');
  });

  await check('a citizen reads both answers on the council page and on the item page; the CSV has both rows', async () => {
    await open(page, `${councilPath}?year=${fy}`);
    await checkA11y(page, `${councilPath} (public)`);
    for (const t of ['防災訓練に子ども向けの回をつくってほしい。', '来年度の防災訓練に子ども向けの回を設けます。', '反映済み',
      '区政会議の開始時刻を夜にしてほしい。', '反映困難', '区民センターの夜間利用ができないため。', 'wr-member']) {
      await expectPageText(page, t);
    }
    // Not answered, not published: the evaluation stays with the ward.
    if ((await page.locator('main', { hasText: '見守り活動の自己評価はおおむね妥当' }).count()) !== 0) throw new Error('an unanswered opinion is public');
    await open(page, `/nodes/${items['防災訓練']}`);
    await expectPageText(page, '防災訓練に子ども向けの回をつくってほしい。');
    await expectPageText(page, '来年度の防災訓練に子ども向けの回を設けます。');
    await checkA11y(page, `/nodes/${items['防災訓練']} (public item page)`);
    const csv = await (await page.request.get(`${process.env.BASE_URL}${councilPath}/export?year=${fy}&format=csv`)).text();
    const rows = csv.trim().split('\n').slice(1);
    expectEqual(rows.length, 2, `CSV rows (${csv})`);
    if (!csv.includes('反映済み') || !csv.includes('反映困難')) throw new Error(`the CSV lacks a status: ${csv}`);
  });

  await check('a citizen searches every ward and year without JavaScript: the header box, the word marked, a facet link', async () => {
    // A browser of its own with JavaScript switched off: the search is a GET form and links.
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_FLAGS] });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, locale: 'ja-JP' });
      const plain = await context.newPage();
      await plain.goto(`${process.env.BASE_URL}/`);
      await plain.fill('#site-q', '防災');
      await Promise.all([plain.waitForURL(/\/search\?/), plain.press('#site-q', 'Enter')]);
      const html = await plain.content();
      if (!html.includes('<mark>防災</mark>')) throw new Error('the word is not marked');
      const hits = await plain.locator('ol.hits').innerText();
      if (!hits.includes('防災訓練')) throw new Error(`防災訓練 is not found: ${hits}`);
      expectEqual(await plain.locator('script').count(), 0, '<script> elements on /search');
      await Promise.all([plain.waitForURL(/fiscal_year=/), plain.click('nav.facets a[href*="fiscal_year="]')]);
      if (!(await plain.content()).includes('active-filters')) throw new Error('the filter is not shown');
      await context.close();
    } finally {
      await browser.close();
    }
  });

  await check('search pages meet axe: results, a filter, the form\'s filters, an item page, no results, a refused filter, English', async () => {
    await open(page, `/search?q=${encodeURIComponent('防災')}`);
    await expectText(page, '[role=status]', '件');
    await expectText(page, 'ol.hits', '防災訓練');
    await checkA11y(page, '/search?q=防災 (results)');
    await submit(page, 'nav.facets a[href*="fiscal_year="]');
    await expectText(page, 'ul.active-filters', '年度');
    await checkA11y(page, '/search (a filter)');
    await open(page, `/search?q=${encodeURIComponent('防災')}`);
    await page.click('form.search-form summary');
    await page.selectOption('#f-kind', 'item');
    await submit(page, 'form.search-form button[type=submit]');
    if (!page.url().includes('kind=item')) throw new Error(`the kind filter: ${page.url()}`);
    await expectText(page, 'ol.hits', '防災訓練');
    // The result opens the item's public page (stable: /plans/{id}/items/{number}).
    await submit(page, 'ol.hits a:has-text("防災訓練")');
    if (!/^\/plans\/\d+\/items\/[^/]+$/.test(new URL(page.url()).pathname)) throw new Error(`the item page: ${page.url()}`);
    await expectText(page, 'h1', '防災訓練');
    await checkA11y(page, 'the public item page');
    await open(page, `/search?q=${encodeURIComponent('量子暗号通信')}`);
    await expectText(page, '[role=status]', '見つかりませんでした');
    expectEqual(await page.locator('ol.hits').count(), 0, 'result lists for an absent word');
    await checkA11y(page, '/search (no results)');
    await open(page, `/search?q=${encodeURIComponent('防災')}&fiscal_year=abc`);
    await expectText(page, '#e-fiscal_year', '年度「abc」を読めません');
    await checkA11y(page, '/search (a refused filter)');
    await open(page, `/search?q=${encodeURIComponent('防災')}&lang=en`);
    await expectText(page, 'h1', 'Search');
    await checkA11y(page, '/search?lang=en');
    // Back to Japanese (the language is remembered).
    await open(page, '/search?lang=ja');
  });

  await check('the reform office: the roll-up of the year, switched to A–D after a preview, mid-year too; a common indicator', async () => {
    await signIn(page, process.env.ADMIN_LOGIN ?? 'admin', 'e2e-admin-password-1');
    await open(page, `/admin?municipality=${municipality}`);
    await submit(page, `a[href^="/rollup/${municipality}"]`);
    await open(page, `/rollup/${municipality}?year=${fy}`);
    await expectText(page, '#summary', '成果目標');
    await expectText(page, '#wards tbody', WARD);
    await expectText(page, '#wards thead', '① 概ね順調');
    await checkA11y(page, `/rollup/${municipality} (the reform office)`);
    const before = await page.locator('#summary').textContent();
    // Drill down into the ward: its 経営課題, 戦略 and items with their counts.
    await submit(page, `#wards tbody a:has-text("${WARD}")`);
    await expectText(page, '#drill', '防災訓練');
    await open(page, `/admin/grading?municipality=${municipality}`);
    await checkA11y(page, '/admin/grading');
    await submit(page, 'button[name=preset][value=nagoya]');
    await expectText(page, '#preview', 'この基準');
    await expectText(page, '#preview', 'A達成');
    expectEqual(await page.inputValue('#f-name'), 'A–D', 'the preset fills the form');
    await checkA11y(page, '/admin/grading (preview)');
    // Nothing is saved by a preview.
    await open(page, `/rollup/${municipality}?year=${fy}`);
    await expectText(page, '#wards thead', '① 概ね順調');
    await open(page, `/admin/grading?municipality=${municipality}`);
    await submit(page, 'button[name=preset][value=nagoya]');
    await submit(page, 'button[name=action][value=save]');
    await expectText(page, '[role=status]', '評価基準を保存しました');
    await expectText(page, 'main', 'A–D');
    await open(page, `/rollup/${municipality}?year=${fy}`);
    await expectText(page, '#wards thead', 'A 達成');
    const after = await page.locator('#summary').textContent();
    if (after === before) throw new Error(`the roll-up did not change with the rules: ${after}`);
    await page.selectOption('#phase', 'review');
    await submit(page, 'form.year-switch button[type=submit]');
    await expectText(page, '#wards caption', '中間振り返り');
    await expectText(page, '#wards thead', '実施見込み');
    await checkA11y(page, `/rollup/${municipality} (mid-year)`);
    const csv = await (await page.request.get(`${process.env.BASE_URL}/rollup/${municipality}/export/csv?year=${fy}&phase=evaluation`)).text();
    if (!csv.includes(WARD) || !csv.includes('合計')) throw new Error(`the roll-up CSV: ${csv}`);
    // The city's form settings: the labels of the judgments, saved and versioned.
    await open(page, `/admin/forms?municipality=${municipality}`);
    await checkA11y(page, '/admin/forms');
    await page.fill('#f-achieved', '目標達成');
    await submit(page, 'form[action="/admin/forms"] button[type=submit]');
    await expectText(page, '[role=status]', '様式の設定を保存しました');
    await open(page, `/admin/indicators?municipality=${municipality}`);
    await page.fill('#f-new-name', '区政会議の委員の満足度');
    await page.fill('#f-new-unit', '%');
    await page.fill('#f-new-source', '区政会議委員アンケート');
    await page.fill('#f-new-question', '区政会議での議論に満足していますか。');
    await submit(page, 'form[action^="/admin/indicators?"] button[type=submit]');
    await expectText(page, 'h1', '区政会議の委員の満足度');
    expectEqual(await page.inputValue('#f-question'), '区政会議での議論に満足していますか。', 'the survey question kept');
    if (!(await page.isChecked('#f-common'))) throw new Error('the new indicator is not common');
    await checkA11y(page, '/admin/indicators/{id} (a common indicator)');
    await signOut(page);
    // The public reads the roll-up of published plans.
    await open(page, `/rollup/${municipality}?year=${fy}`);
    await expectText(page, 'main', '公表された計画から集計しています');
    await checkA11y(page, `/rollup/${municipality} (public)`);
  });

  await check('Excel in the browser: a broken cell is refused naming sheet and cell; one figure and one text edited change exactly those', async () => {
    await signIn(page, 'wr-editor', 'e2e-write-editor-password-1');
    const res = await page.request.get(`${process.env.BASE_URL}${reformPath}/export/xlsx`);
    expectEqual(res.status(), 200, 'the workbook download');
    const book = Buffer.from(await res.body());
    const row = ['ペーパーレス化', '目標'];
    const where = cellOf(book, row, 100);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kusei-xlsx-'));
    const upload = async (name, bytes) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      await open(page, '/import');
      await page.setInputFiles('#f-file', file);
      await submit(page, 'form[action^="/import?"][enctype="multipart/form-data"] button[type=submit]');
    };
    // A figure that is not a number: refused, the sheet and the cell named, nothing kept.
    await upload('broken.xlsx', setNumberInRow(book, row, 100, 'たくさん'));
    await expectText(page, 'main', `シート「${where.sheet}」`);
    await expectText(page, 'main', `セル ${where.cell}`);
    await checkA11y(page, '/import (a broken workbook)');
    // One figure (100 → 150) and one text.
    const before = 'ペーパーレス化を年2回実施し、区民の参加を広げる。';
    const after = 'ペーパーレス化を年3回実施し、紙の申請を半分にする。';
    const edited = replaceText(setNumberInRow(book, row, 100, 150), before, after);
    await upload('edited.xlsx', edited);
    await expectText(page, 'h1', 'Excelブックの確認');
    await checkA11y(page, '/import (the workbook preview)');
    const changes = await page.locator('table.changes tbody tr').allInnerTexts();
    expectEqual(changes.length, 2, `changes shown (${changes.join(' | ')})`);
    if (!changes.some((c) => c.includes(after))) throw new Error(`the text change is not shown: ${changes.join(' | ')}`);
    if (!changes.some((c) => c.includes('150'))) throw new Error(`the figure change is not shown: ${changes.join(' | ')}`);
    await submit(page, 'form[action^="/import/confirm"] button[type=submit]');
    if (!/^\/plans\/\d+$/.test(new URL(page.url()).pathname)) throw new Error(`after confirming: ${page.url()}`);
    await expectPageText(page, after);
    // The sentence citizens read says the new figure too (restated, the wording kept).
    await expectPageText(page, 'ペーパーレス化の参加者数');
    await expectPageText(page, '150人以上');
    // The workbook downloaded again says what was stored: the two changes, nothing else.
    const again = Buffer.from(await (await page.request.get(`${process.env.BASE_URL}${reformPath}/export/xlsx`)).body());
    cellOf(again, row, 150);
    // A ② without its remedy, as a document may say it: stored, but the plan cannot be
    // submitted, and the check links the item.
    const offTrack = setTextInRow(again, ['中間振り返り（見込み）'], 1, '① 達成見込み', '② 達成できない見込み');
    await upload('off-track.xlsx', offTrack);
    await submit(page, 'form[action^="/import/confirm"] button[type=submit]');
    await open(page, reformPath);
    await submit(page, 'form.step:has(input[value=submit]) button');
    await expectText(page, 'h1', '承認依頼の前の確認');
    await expectText(page, '.error-summary', '課題と改善策がありません');
    await checkA11y(page, `${reformPath} submission refused`);
    expectEqual(await page.locator('form.step:has(input[value=submit])').count(), 0, 'submit buttons while blocked');
    await submit(page, `.error-summary a[href*="/nodes/${items['窓口サービスの向上']}/review"]`);
    await page.fill('#f-remedy', '窓口の案内表示を増やす。');
    await submit(page, 'form[action*="/review?"] button[type=submit]');
    await expectText(page, '[role=status]', '保存しました');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  await check('no external requests, no dialogs, no console errors', async () => session.assertClean());
} catch (e) {
  console.log(`FAIL - scenario stopped: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await session.close();
}
finish();
