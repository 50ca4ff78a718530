// The ward comparison dashboard and the open-data page in a real browser, on the made-up
// sample city (`kusei sample-city --wards 24 --years 2023-2025 --items 40`): the charts
// are drawn (bars, lines, non-zero size, real pixels in a screenshot), their text
// alternatives state figures that are in the numbers table beside them, the table agrees
// with the JSON API, the year switch works from the keyboard, axe-core finds no serious
// or critical violation, and the open-data downloads are there.
//
//   BASE_URL=http://127.0.0.1:8080 [SAMPLE_CITY=見本市] [SAMPLE_CITY_ID=2] node dashboard.mjs
//
// crates/kusei/tests/browser.rs creates the city before it runs this. Without
// SAMPLE_CITY_ID the municipality is found by name in /api/v1/municipalities.
// Screenshots of the first bar and line chart are kept in a directory under the system's
// temporary directory (printed as `screenshot: PATH`) for a person to look at.
// Prints one line per check; exits non-zero when any check fails.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baseUrl, checkA11y, checklist, expectEqual, expectText, launchBrowser, open } from './lib.mjs';

const CITY = process.env.SAMPLE_CITY ?? '見本市';
const WARDS = 24;
const YEAR = 2024;
const YEAR_LABEL = '令和6年度';
const NEXT_YEAR = 2025;
const NEXT_YEAR_LABEL = '令和7年度';
/** The bar colour of crates/kusei-report/src/chart.rs (COLOURS[0]), also the first line's. */
const BAR_RGB = [0x1f, 0x5f, 0xa8];
/** At least this many non-white pixels make a screenshot a real render, not a blank box. */
const MIN_INK = 500;
/** …and at least this many of them in the bar colour. */
const MIN_BAR_COLOUR = 100;

const base = baseUrl();

/** GET on the server from node (not the browser): JSON or bytes. */
async function get(urlPath) {
  const res = await fetch(new URL(urlPath, `${base}/`));
  if (!res.ok) throw new Error(`GET ${urlPath}: HTTP ${res.status}`);
  return res;
}

/** "1,554" / "57.5%" / "—" → 1554 / 57.5 / null. */
function num(text) {
  const t = text.replace(/[,%\s]/g, '');
  if (t === '' || t === '—') return null;
  const v = Number(t);
  if (!Number.isFinite(v)) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return v;
}

/** The page rounds figures to two decimals (chart.rs `fmt`). */
function sameFigure(page, api) {
  if (page === null || api === null || api === undefined) return page === null && (api === null || api === undefined);
  return Math.abs(page - Math.round(api * 100) / 100) < 1e-9;
}

/** Rows of a table as arrays of cell texts (row header first). */
function tableRows(page, selector) {
  return page.locator(`${selector} tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim())),
  );
}

const session = await launchBrowser();
const { check, finish } = checklist(session);
const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'kusei-e2e-dashboard-'));
try {
  const page = await session.newPage();
  let cityId = process.env.SAMPLE_CITY_ID ?? '';
  let api = null;
  const dashboardPath = () => `/dashboard/${cityId}?year=${YEAR}`;

  await check(`the sample city ${CITY} is in /api/v1/municipalities and /api/v1/dashboard`, async () => {
    if (!cityId) {
      const { municipalities } = await (await get('/api/v1/municipalities')).json();
      const m = municipalities.find((x) => x.name === CITY);
      if (!m) throw new Error(`no municipality named ${CITY}: ${municipalities.map((x) => x.name).join(', ')}`);
      cityId = String(m.id);
    }
    api = (await (await get(`/api/v1/dashboard/${cityId}?year=${YEAR}`)).json()).dashboard;
    expectEqual(api.fiscal_year, YEAR, 'fiscal_year of the JSON dashboard');
    expectEqual(api.units.length, WARDS, 'wards in the JSON dashboard');
    if (!api.indicators.length) throw new Error('the JSON dashboard has no common indicator');
  });
  if (!cityId || !api) throw new Error('cannot go on without the sample city');

  await check(`${dashboardPath()} opens signed out; <title> and <h1> say ${YEAR_LABEL}`, async () => {
    await open(page, dashboardPath());
    const title = await page.title();
    if (!title.includes(YEAR_LABEL) || !title.includes(CITY)) throw new Error(`<title> is ${JSON.stringify(title)}`);
    expectEqual(await page.locator('h1').count(), 1, '<h1> elements');
    await expectText(page, 'h1', YEAR_LABEL);
    await expectText(page, 'h1', CITY);
    if ((await page.locator('form[action="/logout"]').count()) !== 0) throw new Error('the visitor is signed in');
  });

  // Every chart: [id, kind, how many marks].
  const n = api.indicators.length;
  const charts = [
    ['chart-achieved', 'bar'],
    ...api.indicators.map((_, i) => [`chart-bar-${i}`, 'bar']),
    ...api.trends.map((_, i) => [`chart-line-${i}`, 'line']),
  ];

  await check(`the achieved-share chart and ${n} indicator bar charts have ${WARDS} bars each, the ${api.trends.length} line charts 3 lines each, all drawn with a size`, async () => {
    expectEqual(api.trends.length, n, 'line charts (trends) for the indicators');
    for (const [id, kind] of charts) {
      const svg = page.locator(`svg#${id}`);
      expectEqual(await svg.count(), 1, `svg#${id} on the page`);
      const box = await svg.boundingBox();
      if (!box || box.width < 100 || box.height < 50) throw new Error(`svg#${id} is drawn ${JSON.stringify(box)}`);
      const marks = await svg.evaluate((s, kind) => {
        const els = kind === 'bar' ? [...s.querySelectorAll(':scope > rect')] : [...s.querySelectorAll(':scope > path')];
        return els.map((e) => {
          const b = e.getBBox();
          const r = e.getBoundingClientRect();
          return { w: b.width, h: b.height, rw: r.width, rh: r.height, d: e.getAttribute('d') ?? '' };
        });
      }, kind);
      const want = kind === 'bar' ? WARDS : 3;
      expectEqual(marks.length, want, `${kind === 'bar' ? '<rect> bars' : '<path> lines'} in svg#${id}`);
      marks.forEach((m, k) => {
        // A bar has width and height; a line over three years has a width (it may be flat).
        const drawn = kind === 'bar' ? m.w > 0 && m.h > 0 && m.rw > 0 && m.rh > 0 : m.w > 0 && m.rw > 0;
        if (!drawn) throw new Error(`mark ${k} of svg#${id} has no size: ${JSON.stringify(m)}`);
        if (kind === 'line' && (m.d.match(/[ML]/g) ?? []).length !== 3) {
          throw new Error(`line ${k} of svg#${id} is not three points: d="${m.d}"`);
        }
      });
    }
  });

  await check('each chart is role=img with a <title> and a <desc>, and aria-labelledby names them', async () => {
    for (const [id] of charts) {
      const a = await page.locator(`svg#${id}`).evaluate((s) => ({
        role: s.getAttribute('role'),
        title: s.querySelector(':scope > title')?.textContent.trim() ?? '',
        desc: s.querySelector(':scope > desc')?.textContent.trim() ?? '',
        labelledby: (s.getAttribute('aria-labelledby') ?? '').split(/\s+/).map((x) => document.getElementById(x)?.tagName ?? `missing #${x}`),
      }));
      expectEqual(a.role, 'img', `role of svg#${id}`);
      if (!a.title) throw new Error(`svg#${id} has an empty <title>`);
      if (!a.desc) throw new Error(`svg#${id} has an empty <desc>`);
      expectEqual(a.labelledby.join(' '), 'title desc', `elements named by aria-labelledby of svg#${id}`);
    }
  });

  await check("each bar chart's <desc> states the highest and lowest figure of the numbers table beside it", async () => {
    for (const [id, kind] of charts.filter((c) => c[1] === 'bar')) {
      const { desc, rows, headers } = await page.locator(`svg#${id}`).evaluate((s) => {
        const table = s.closest('.chart-pair, section').querySelector('table.numbers');
        return {
          desc: s.querySelector('desc').textContent,
          headers: [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
          rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim())),
        };
      });
      // The achieved-share chart sits under the counts table (達成率); the others beside 目標/実績.
      const col = headers.indexOf(id === 'chart-achieved' ? '達成率' : '実績');
      if (col < 0) throw new Error(`no column for the figures of svg#${id} in ${headers.join('|')}`);
      const figures = rows.map((r) => ({ ward: r[0], v: num(r[col]) })).filter((r) => r.v !== null);
      const max = Math.max(...figures.map((f) => f.v));
      const min = Math.min(...figures.map((f) => f.v));
      for (const [word, want] of [['最大', max], ['最小', min]]) {
        const m = desc.match(new RegExp(`${word}は(.+?)の(-?[\\d,.]+)`));
        if (!m) throw new Error(`the <desc> of svg#${id} states no ${word}: ${desc}`);
        const [, ward, figure] = m;
        if (num(figure) !== want) throw new Error(`svg#${id}: <desc> says ${word} ${figure}, the table's ${word} is ${want}`);
        if (!figures.some((f) => f.ward === ward && f.v === want)) {
          throw new Error(`svg#${id}: <desc> says ${word} is ${ward} ${figure}, but the table has no such row`);
        }
      }
      const count = desc.match(/(\d+)組織中(\d+)組織に数値/);
      if (!count || Number(count[1]) !== rows.length || Number(count[2]) !== figures.length) {
        throw new Error(`svg#${id}: <desc> counts ${count?.[0] ?? 'nothing'}, the table has ${figures.length} of ${rows.length}`);
      }
    }
  });

  await check("each line chart's <desc> states every 平均/最大/最小 figure of the table beside it", async () => {
    for (const [id] of charts.filter((c) => c[1] === 'line')) {
      const { desc, rows, headers } = await page.locator(`svg#${id}`).evaluate((s) => {
        const table = s.closest('.chart-pair').querySelector('table.numbers');
        return {
          desc: s.querySelector('desc').textContent,
          headers: [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
          rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim())),
        };
      });
      expectEqual(rows.length, 3, `years in the table beside svg#${id}`);
      for (const series of ['平均', '最大', '最小']) {
        const col = headers.indexOf(series);
        const part = desc.match(new RegExp(`${series}：([^。]*)。`));
        if (col < 0 || !part) throw new Error(`svg#${id}: no ${series} in the table (${headers.join('|')}) or the <desc> (${desc})`);
        for (const r of rows) {
          const m = part[1].match(new RegExp(`${r[0]} (-?[\\d,.]+)`));
          if (!m) throw new Error(`svg#${id}: <desc> has no ${series} for ${r[0]}: ${part[1]}`);
          if (num(m[1]) !== num(r[col])) throw new Error(`svg#${id}: <desc> ${series} ${r[0]} is ${m[1]}, the table says ${r[col]}`);
        }
      }
    }
  });

  await check(`the first indicator's table (${api.indicators[0].indicator.name}) equals /api/v1/dashboard for ${YEAR}`, async () => {
    const want = api.indicators[0].wards;
    const rows = await tableRows(page, '#ind-0 .chart-pair:has(#chart-bar-0) table.numbers');
    expectEqual(rows.length, want.length, 'rows of the first indicator table');
    rows.forEach((r, k) => {
      const w = want[k];
      expectEqual(r[0], w.unit, `ward of row ${k + 1}`);
      if (!sameFigure(num(r[1]), w.target)) throw new Error(`${w.unit}: target ${r[1]} on the page, ${w.target} in the API`);
      if (!sameFigure(num(r[2]), w.actual)) throw new Error(`${w.unit}: actual ${r[2]} on the page, ${w.actual} in the API`);
      const met = w.met === true ? '達成' : w.met === false ? '未達成' : '—';
      expectEqual(r[3], met, `${w.unit}: 達成`);
    });
  });

  await check(`the counts table equals /api/v1/dashboard for ${YEAR}`, async () => {
    const rows = await tableRows(page, '#judgments table.numbers');
    expectEqual(rows.length, api.counts.length, 'rows of the counts table');
    rows.forEach((r, k) => {
      const c = api.counts[k];
      const got = [r[0], num(r[1]), num(r[2]), num(r[3]), num(r[4])];
      expectEqual(JSON.stringify(got), JSON.stringify([c.unit, c.achieved, c.not_achieved, c.undetermined, c.total]), `counts row ${k + 1}`);
    });
  });

  const shotPaths = {};
  await check('screenshots of the first bar chart and the first line chart are real renders', async () => {
    const analyse = await session.newPage();
    try {
      for (const id of ['chart-bar-0', 'chart-line-0']) {
        const el = await page.$(`svg#${id}`);
        await el.scrollIntoViewIfNeeded();
        const file = path.join(shots, `${id}-${YEAR}.png`);
        const png = await el.screenshot({ path: file });
        shotPaths[id] = file;
        console.log(`screenshot: ${file}`);
        // Decode the PNG on a blank page's canvas and count what is drawn.
        const stats = await analyse.evaluate(
          async ({ b64, rgb }) => {
            const img = new Image();
            img.src = `data:image/png;base64,${b64}`;
            await img.decode();
            const c = document.createElement('canvas');
            c.width = img.naturalWidth;
            c.height = img.naturalHeight;
            const g = c.getContext('2d');
            g.drawImage(img, 0, 0);
            const px = g.getImageData(0, 0, c.width, c.height).data;
            const colours = new Set();
            let ink = 0;
            let bar = 0;
            for (let i = 0; i < px.length; i += 4) {
              const [r, gr, b] = [px[i], px[i + 1], px[i + 2]];
              colours.add((r << 16) | (gr << 8) | b);
              if (r < 245 || gr < 245 || b < 245) ink += 1;
              if (Math.abs(r - rgb[0]) <= 3 && Math.abs(gr - rgb[1]) <= 3 && Math.abs(b - rgb[2]) <= 3) bar += 1;
            }
            return { width: c.width, height: c.height, colours: colours.size, ink, bar };
          },
          { b64: png.toString('base64'), rgb: BAR_RGB },
        );
        const box = await el.boundingBox();
        console.log(`  ${id}: ${stats.width}x${stats.height} px, ${stats.colours} colours, ${stats.ink} non-white, ${stats.bar} in #1f5fa8`);
        if (Math.abs(stats.width - Math.round(box.width)) > 2 || Math.abs(stats.height - Math.round(box.height)) > 2) {
          throw new Error(`${id}: screenshot is ${stats.width}x${stats.height}, the element ${box.width}x${box.height}`);
        }
        if (stats.ink < MIN_INK) throw new Error(`${id}: only ${stats.ink} non-white pixels (blank render?)`);
        if (stats.bar < MIN_BAR_COLOUR) throw new Error(`${id}: only ${stats.bar} pixels in the bar colour #1f5fa8`);
        if (stats.colours < 8) throw new Error(`${id}: only ${stats.colours} colours (no text or lines?)`);
      }
    } finally {
      await analyse.close();
    }
  });

  await check(`${dashboardPath()} has no serious or critical axe violations`, () => checkA11y(page, dashboardPath()));

  await check(`the year switch works from the keyboard: ${NEXT_YEAR_LABEL} shows, with 未確定 initiatives`, async () => {
    await open(page, dashboardPath());
    await page.focus('select#year');
    // Options run from the newest year down: the one above 2024 is 2025.
    await page.keyboard.press('ArrowUp');
    expectEqual(await page.locator('select#year').inputValue(), String(NEXT_YEAR), 'the select after ArrowUp');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => `${document.activeElement.tagName.toLowerCase()}[type=${document.activeElement.getAttribute('type')}]`);
    expectEqual(focused, 'button[type=submit]', 'focus after Tab from the select');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('year') === String(NEXT_YEAR)), page.keyboard.press('Enter')]);
    await page.waitForLoadState('load');
    await expectText(page, 'h1', NEXT_YEAR_LABEL);
    if (!(await page.title()).includes(NEXT_YEAR_LABEL)) throw new Error(`<title> is ${await page.title()}`);
    expectEqual(await page.locator('select#year').inputValue(), String(NEXT_YEAR), 'the selected year after the switch');
    const headers = await page.locator('#judgments table.numbers thead th').allInnerTexts();
    const col = headers.map((h) => h.trim()).indexOf('未確定');
    const rows = await tableRows(page, '#judgments table.numbers');
    const undetermined = rows.reduce((s, r) => s + (num(r[col]) ?? 0), 0);
    if (col < 0 || undetermined <= 0) throw new Error(`未確定 adds up to ${undetermined} (column ${col})`);
    console.log(`  ${NEXT_YEAR_LABEL}: ${undetermined} initiatives 未確定 in ${rows.length} wards`);
  });

  await check(`the ${NEXT_YEAR_LABEL} dashboard has no serious or critical axe violations`, () =>
    checkA11y(page, `/dashboard/${cityId}?year=${NEXT_YEAR}`),
  );

  let csvHref = '';
  await check(`/open-data lists ${CITY}, and its ${YEAR} page links its dashboard and its CSV, JSON, Excel and PDF downloads`, async () => {
    // More than one municipality: the page lists them; the city's page lists its years.
    await open(page, '/open-data');
    await Promise.all([page.waitForLoadState('load'), page.click(`ul.municipalities a:has-text("${CITY}")`)]);
    expectEqual(new URL(page.url()).searchParams.get('municipality'), String(cityId), 'the city chosen');
    await Promise.all([page.waitForLoadState('load'), page.click(`ul.years a:has-text("${YEAR_LABEL}")`)]);
    expectEqual(new URL(page.url()).searchParams.get('year'), String(YEAR), 'the year chosen');
    await expectText(page, 'ul.years [aria-current=page]', YEAR_LABEL);
    const section = page.locator('section', { has: page.locator('h2', { hasText: CITY }) });
    expectEqual(await section.count(), 1, `sections of ${CITY} on /open-data`);
    const hrefs = await section.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
    if (!hrefs.some((a) => new URL(a.href, base).pathname === `/dashboard/${cityId}`)) throw new Error(`no link to /dashboard/${cityId}`);
    const ext = { CSV: 'csv', JSON: 'json', Excel: 'xlsx', PDF: 'pdf' };
    for (const [label, format] of Object.entries(ext)) {
      const href = `/open-data/${cityId}/export?year=${YEAR}&format=${format}`;
      const a = hrefs.find((x) => x.href === href);
      if (!a) throw new Error(`no link ${href} (${label}) for ${YEAR}`);
      expectEqual(a.text, label, `text of the link ${href}`);
    }
    csvHref = `/open-data/${cityId}/export?year=${YEAR}&format=csv`;
  });

  await check(`/open-data has no serious or critical axe violations`, async () => {
    await checkA11y(page, `/open-data?municipality=${cityId}&year=${YEAR}`);
    await open(page, '/open-data');
    await checkA11y(page, '/open-data (the municipalities)');
  });

  await check(`the ${YEAR} CSV download is UTF-8 with a BOM and names ${CITY}`, async () => {
    if (!csvHref) throw new Error('no CSV link found');
    const res = await page.request.get(new URL(csvHref, `${base}/`).toString());
    if (!res.ok()) throw new Error(`GET ${csvHref}: HTTP ${res.status()}`);
    const type = res.headers()['content-type'] ?? '';
    if (!type.startsWith('text/csv')) throw new Error(`content-type ${type}`);
    const bytes = await res.body();
    expectEqual(bytes.subarray(0, 3).toString('hex'), 'efbbbf', 'the first three bytes (UTF-8 BOM)');
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (!text.includes(CITY)) throw new Error(`the CSV does not mention ${CITY}: ${text.slice(0, 200)}`);
    const lines = text.trim().split(/\r?\n/).length;
    console.log(`  ${csvHref}: ${bytes.length} bytes, ${lines} lines`);
  });

  await check('no external requests, no dialogs, no console errors', async () => session.assertClean());
  if (Object.keys(shotPaths).length) console.log(`screenshots kept in ${shots}`);
} catch (e) {
  console.log(`FAIL - scenario stopped: ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await session.close();
}
finish();
