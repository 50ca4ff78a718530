// Load script (issue 14, availability): while CONCURRENCY anonymous clients post wrong
// passwords to /login for SECONDS, measure the latency of /healthz and of a public page,
// and compare it with the same measurement without the storm. Bounded in count and time;
// talks only to BASE_URL (a Kusei on this machine).
//
//   BASE_URL=http://127.0.0.1:8080 PAGE=/ node e2e/load/signin-storm.mjs
const base = process.env.BASE_URL ?? 'http://127.0.0.1:8080';
const pagePath = process.env.PAGE ?? '/';
const concurrency = Number(process.env.CONCURRENCY ?? 32);
const seconds = Number(process.env.SECONDS ?? 10);
const samples = Number(process.env.SAMPLES ?? 100);
if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(base)) {
  throw new Error(`BASE_URL must be this machine: ${base}`);
}

async function timed(path) {
  const t = performance.now();
  const res = await fetch(base + path, { redirect: 'manual' });
  await res.arrayBuffer();
  if (res.status >= 500) throw new Error(`${path}: ${res.status}`);
  return performance.now() - t;
}

function p(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function measure(label) {
  const out = {};
  for (const path of ['/healthz', pagePath]) {
    const ms = [];
    for (let i = 0; i < samples; i++) ms.push(await timed(path));
    ms.sort((a, b) => a - b);
    out[path] = { p50: p(ms, 0.5), p95: p(ms, 0.95) };
  }
  console.log(label, JSON.stringify(out, (k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v)));
  return out;
}

async function storm(until) {
  // The pre-session cookie and its CSRF token, as a browser would have them.
  const form = await fetch(base + '/login');
  const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0];
  const csrf = (await form.text()).match(/name="csrf" value="([^"]+)"/)?.[1] ?? '';
  let posts = 0;
  while (performance.now() < until) {
    const body = new URLSearchParams({ login: `nobody${posts % 7}`, password: 'wrong password 123', csrf, next: '/' });
    const res = await fetch(base + '/login', { method: 'POST', body, headers: { cookie }, redirect: 'manual' });
    await res.arrayBuffer();
    posts++;
  }
  return posts;
}

const quiet = await measure('without the storm');
const until = performance.now() + seconds * 1000;
const workers = Array.from({ length: concurrency }, () => storm(until));
await new Promise((r) => setTimeout(r, 500));
const loaded = await measure(`with ${concurrency} clients posting sign-ins`);
const posts = (await Promise.all(workers)).reduce((a, b) => a + b, 0);
console.log(`sign-in posts: ${posts} in ${seconds} s`);
for (const path of Object.keys(quiet)) {
  console.log(`${path}: p95 ${loaded[path].p95.toFixed(1)} ms under load, ${(loaded[path].p95 / quiet[path].p95).toFixed(1)}× the quiet p95`);
}
