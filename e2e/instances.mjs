// Two Kusei servers over ONE PostgreSQL database, behind one address, as a city deploys
// them behind a reverse proxy (docs/deployment.md). A small proxy here sends each request
// to the instance the scenario names (or to each in turn), so every step says where it
// ran and the work of one person moves between the instances:
//   the administrator signs in on A and is still signed in on B (sessions are rows);
//   the city, its ward, the windows and the users are set up across both; the editor
//   writes a plan on A; two tabs open the same item form on A and on B, save different
//   fields, and both survive (the version check is in the database); a word typed on B
//   is found by A's search at once (each index follows the change log); a document
//   previewed on A is stored by confirming on B (pending uploads are rows); failed
//   sign-ins on A and B add up to one wait (the throttle is a row); submit on A,
//   approve and publish on B; a citizen whose requests alternate reads the published
//   plan, its item page and the search; a page's ETag from A is a 304 on B.
//
//   BASE_URL_A=… BASE_URL_B=… ADMIN_PASSWORD=… node instances.mjs

import http from 'node:http';
import {
  checkA11y, checklist, expectEqual, expectPageText, expectText, firstSignIn, open,
  launchBrowser, signIn, signOut,
} from './lib.mjs';

const targets = { A: new URL(process.env.BASE_URL_A), B: new URL(process.env.BASE_URL_B) };
/** Where the next requests go: 'A', 'B' or 'alternate'. */
let mode = 'A';
let turn = 0;
const served = { A: 0, B: 0 };

const proxy = http.createServer((req, res) => {
  const name = mode === 'alternate' ? (turn++ % 2 === 0 ? 'A' : 'B') : mode;
  served[name] += 1;
  const t = targets[name];
  const upstream = http.request(
    {
      host: t.hostname,
      port: t.port,
      method: req.method,
      path: req.url,
      // The Host the browser asked for is kept, as a reverse proxy does.
      headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1' },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-test-instance': name });
      up.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`instance ${name}: ${e.message}`);
  });
  req.pipe(upstream);
});
await new Promise((ok) => proxy.listen(0, '127.0.0.1', ok));
process.env.BASE_URL = `http://127.0.0.1:${proxy.address().port}`;

/** Sends the next requests to instance `name` ('A', 'B' or 'alternate'). */
function via(name) {
  mode = name;
}

/** Fails unless the last page was served by instance `name`. */
async function servedBy(response, name) {
  expectEqual(response?.headers()['x-test-instance'], name, `instance of ${response?.url()}`);
}

const session = await launchBrowser();
const { check, finish } = checklist(session);
const CITY = '二台市';
const WARD = '東区';

async function submit(page, selector) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.click(selector),
  ]);
  return response;
}

function fiscalYear() {
  const jst = new Date(Date.now() + 9 * 3600 * 1000);
  return jst.getUTCMonth() >= 3 ? jst.getUTCFullYear() : jst.getUTCFullYear() - 1;
}

async function pick(page, select, text) {
  const option = page.locator(`${select} option`).filter({ hasText: text }).first();
  await page.selectOption(select, await option.getAttribute('value'));
}

const fy = fiscalYear();
const passwords = {};
let planPath;
let itemId;

try {
  const page = await session.newPage();

  await check('A: the administrator signs in; B: the same session sets up the city', async () => {
    via('A');
    await firstSignIn(page, process.env.ADMIN_LOGIN ?? 'admin', process.env.ADMIN_PASSWORD, 'e2e-instances-admin-1');
    via('B');
    const res = await open(page, '/admin');
    await servedBy(res, 'B');
    await expectPageText(page, '管理者 / Administrator');
    await page.fill('#f-m_code', '282014');
    await page.fill('#f-m_name', CITY);
    await servedBy(await submit(page, 'form[action="/admin/municipalities"] button[type=submit]'), 'B');
    if (!new URL(page.url()).searchParams.get('municipality')) throw new Error(`no municipality: ${page.url()}`);
  });

  await check('A: the ward and the windows; B: the users', async () => {
    via('A');
    await page.reload();
    await page.fill('#f-name', WARD);
    await page.selectOption('#f-kind', 'ward');
    await servedBy(await submit(page, 'form[action="/admin/units"] button[type=submit]'), 'A');
    await expectText(page, '[role=status]', '組織を追加しました');
    for (const phase of ['plan', 'review', 'evaluation']) {
      await page.fill('#f-fiscal_year', String(fy));
      await page.selectOption('#f-phase', phase);
      await page.fill('#f-opens_on', `${fy}-04-01`);
      await page.fill('#f-closes_on', `${fy + 1}-03-31`);
      await submit(page, 'form[action="/admin/schedule"] button[type=submit]');
      await expectText(page, '[role=status]', '受付期間を保存しました');
    }
    via('B');
    await page.reload();
    for (const [login, role] of [['ni-editor', 'ward_editor'], ['ni-boss', 'approver']]) {
      await page.fill('#f-login', login);
      await page.fill('#f-display_name', login);
      await page.selectOption('#f-role', role);
      await pick(page, '#f-unit', `${WARD} (区)`);
      await servedBy(await submit(page, 'form[action="/admin/users"] button[type=submit]'), 'B');
      passwords[login] = (await page.locator('code.otp').innerText()).trim();
    }
    await signOut(page);
  });

  await check('B: the editor signs in; A: writes a plan with an item', async () => {
    via('B');
    await firstSignIn(page, 'ni-editor', passwords['ni-editor'], 'e2e-instances-editor-1');
    via('A');
    await open(page, '/plans/new');
    await pick(page, '#f-unit', WARD);
    await page.selectOption('#f-family', 'reform_items');
    await page.fill('#f-period', String(fy));
    await page.fill('#f-title', `${WARD} 市政改革プランに基づく取組`);
    await servedBy(await submit(page, 'form[action^="/plans/new"] button[type=submit]'), 'A');
    planPath = new URL(page.url()).pathname.replace(/\/structure$/, '');
    await page.selectOption('#f-level', '取組項目');
    await page.fill('#f-number', '1');
    await page.fill('#f-title', '窓口サービスの向上');
    await submit(page, 'form:has(input[name=action][value=add]) button[type=submit]');
    await expectText(page, '[role=status]', '項目を追加しました');
    itemId = (await page.locator('tr[id^="item-"]').first().getAttribute('id')).replace('item-', '');
  });

  await check('the same item form open on A and on B: different fields saved on each both survive', async () => {
    const tabA = page;
    const tabB = await session.newPage();
    via('A');
    await servedBy(await open(tabA, `/nodes/${itemId}/plan`), 'A');
    via('B');
    await servedBy(await open(tabB, `/nodes/${itemId}/plan`), 'B');
    await tabB.fill('#f-s0_body', '待ち時間を半分にする二台連携の取組。');
    await servedBy(await submit(tabB, 'form[action*="/plan?"] button[type=submit]'), 'B');
    await expectText(tabB, '[role=status]', '保存しました');
    via('A');
    // Tab A still holds the version it opened: its save is merged field by field.
    await tabA.fill('#f-t0_indicator', '窓口の待ち時間');
    await tabA.fill('#f-t0_value', '10');
    await tabA.fill('#f-t0_unit', '分');
    await servedBy(await submit(tabA, 'form[action*="/plan?"] button[type=submit]'), 'A');
    await expectText(tabA, '[role=status]', '保存しました');
    via('B');
    await open(tabB, `/nodes/${itemId}`);
    await expectPageText(tabB, '待ち時間を半分にする二台連携の取組。');
    await expectPageText(tabB, '窓口の待ち時間');
    await tabB.close();
  });

  await check('A finds at once the words saved on B (each index follows the change log)', async () => {
    via('A');
    const res = await open(page, `/search?q=${encodeURIComponent('二台連携')}`);
    await servedBy(res, 'A');
    await expectText(page, 'main', '窓口サービスの向上');
    await expectText(page, 'main mark', '二台連携');
  });

  await check('a document previewed on A is stored by confirming on B', async () => {
    const fixture = new URL('../crates/kusei-import/tests/fixtures/reform_items.txt', import.meta.url).pathname;
    via('A');
    await open(page, '/import');
    await page.setInputFiles('#f-file', fixture);
    await servedBy(await submit(page, 'form[action^="/import?"][enctype="multipart/form-data"] button[type=submit]'), 'A');
    await expectText(page, 'h1', '読み取り結果の確認');
    via('B');
    await page.fill('#f-year', String(fy - 1));
    await servedBy(await submit(page, 'form[action^="/import/confirm"] button[type=submit]'), 'B');
    if (!/^\/plans\/\d+$/.test(new URL(page.url()).pathname)) throw new Error(`after confirming on B: ${page.url()}`);
    await expectText(page, '.notice', '新しい計画として保存しました');
  });

  await check('A: submitted (confirmed on B); B: approved and published by the approver', async () => {
    via('A');
    await open(page, planPath);
    await servedBy(await submit(page, 'form.step:has(input[value=submit]) button'), 'A');
    // The review and the evaluation are still empty: asked once more (the answer goes to B).
    await expectText(page, 'h1', '承認依頼の前の確認');
    via('B');
    await page.check('#f-acknowledge');
    await servedBy(await submit(page, 'form.step:has(input[name=acknowledge]) button'), 'B');
    await expectText(page, '.workflow', '承認待ち');
    await signOut(page);
    via('B');
    await firstSignIn(page, 'ni-boss', passwords['ni-boss'], 'e2e-instances-boss-1');
    await open(page, planPath);
    await submit(page, 'form.step:has(input[value=approve]) button');
    await submit(page, 'form.step:has(input[name=confirm]) button');
    await expectText(page, '.workflow', '承認済み');
    await submit(page, 'form.step:has(input[value=publish]) button');
    await servedBy(await submit(page, 'form.step:has(input[name=confirm]) button'), 'B');
    await expectText(page, '.workflow', '公表済み');
    await signOut(page);
  });

  await check('a citizen whose requests go to each instance in turn reads the plan, the item and the search', async () => {
    via('alternate');
    const before = { ...served };
    for (let round = 0; round < 2; round++) {
      await open(page, planPath);
      await expectPageText(page, '待ち時間を半分にする二台連携の取組。');
      if ((await page.locator('.workflow').count()) !== 0) throw new Error('the public page shows the working copy panel');
      await open(page, `${planPath}/items/1`);
      await expectPageText(page, '窓口の待ち時間');
      await open(page, `/search?q=${encodeURIComponent('二台連携')}`);
      await expectText(page, 'main mark', '二台連携');
    }
    if (served.A === before.A || served.B === before.B) throw new Error(`not both instances served: ${JSON.stringify(served)}`);
    // The page's validator names the published version, so the other instance agrees:
    // a revalidation on B of what A sent is a 304 without a body.
    via('A');
    const first = await page.request.get(`${process.env.BASE_URL}${planPath}`);
    const etag = first.headers()['etag'];
    if (!etag) throw new Error('no ETag on the public plan page');
    via('B');
    const again = await page.request.get(`${process.env.BASE_URL}${planPath}`, { headers: { 'If-None-Match': etag } });
    expectEqual(again.status(), 304, 'revalidation on the other instance');
    expectEqual(again.headers()['x-test-instance'], 'B', 'instance of the revalidation');
    expectEqual((await again.body()).length, 0, 'bytes of a 304');
    await checkA11y(page, '/search (through the proxy)');
  });

  await check('failed sign-ins on A and on B add up to one wait', async () => {
    await open(page, '/login');
    for (let i = 0; i < 5; i++) {
      via(i % 2 === 0 ? 'A' : 'B');
      await page.fill('#f-login', 'ni-editor');
      await page.fill('#f-password', `wrong-${i}`);
      await submit(page, 'form[action="/login"] button[type=submit]');
    }
    via('A');
    await page.fill('#f-login', 'ni-editor');
    await page.fill('#f-password', 'e2e-instances-editor-1');
    await servedBy(await submit(page, 'form[action="/login"] button[type=submit]'), 'A');
    expectEqual(new URL(page.url()).pathname, '/login', 'page after signing in while throttled');
    await expectPageText(page, 'しばらくお待ちください');
  });

  await check('no external requests, no dialogs, no console errors', async () => session.assertClean());
} catch (e) {
  console.log(`FAIL - scenario stopped: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await session.close();
  proxy.close();
}
finish();
