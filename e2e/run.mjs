// GlobalDesk browser end-to-end tests.
//
// Starts a fresh demo server (the binary is NOT built here), drives the system Chromium with
// playwright-core through the main journeys, checks pages with axe-core, and prints a final
// line `N passed, M failed`. Exits non-zero on any failure. See README.md.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { programJourneys } from './programs.mjs';
import { deskJourneys } from './desk.mjs';
import { navigatorJourneys } from './navigator.mjs';

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const BIN = resolve(HERE, process.env.GLOBALDESK_BIN || '../target/release/globaldesk');
const SHOTS = join(HERE, 'screenshots');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = process.env.GLOBALDESK_DEMO_PASSWORD || 'globaldesk-demo';
const ONLY = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;

// ---------------------------------------------------------------------------------------------
// Messages: read every .ftl file of both languages so assertions follow the wording the app
// really ships.
function loadFtl(lang) {
  const out = {};
  let last = null;
  const dir = join(REPO, 'locales', lang);
  const lines = readdirSync(dir).filter((f) => f.endsWith('.ftl')).sort().flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'));
  for (const line of lines) {
    const m = /^([a-z0-9][a-z0-9_-]*)\s*=\s?(.*)$/i.exec(line);
    if (m) { out[m[1]] = m[2]; last = m[1]; }
    else if (last && /^\s+\S/.test(line)) out[last] += ' ' + line.trim();
    else last = null;
  }
  return out;
}
const KO = loadFtl('ko-KR');
const EN = loadFtl('en-US');

// ---------------------------------------------------------------------------------------------
// A tiny runner: tests run in order (journey b looks for the company that journey a created).
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

// ---------------------------------------------------------------------------------------------
// Server.
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

async function startServer(work) {
  if (!existsSync(BIN)) throw new Error(`GlobalDesk binary not found at ${BIN}: build it (cargo build --release -p globaldesk) or set GLOBALDESK_BIN`);
  const port = await freePort();
  const dbUrl = process.env.E2E_DATABASE_URL || `sqlite://${join(work, 'e2e.db')}`;
  const args = ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--database-url', dbUrl,
    '--static-dir', process.env.E2E_STATIC_DIR || join(REPO, 'static'), '--mail-dir', join(work, 'mail')];
  const log = [];
  const child = spawn(BIN, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', RUST_LOG: process.env.RUST_LOG || 'warn' } });
  const keep = (d) => { log.push(d.toString()); if (log.length > 400) log.splice(0, 100); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, sig) => { exited = `exit code ${code} signal ${sig}`; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`server ended before it was ready (${exited}):\n${log.join('')}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200 && (await r.text()).trim() === 'ready') break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`server not ready within 60 s:\n${log.join('')}`); }
    await new Promise((r) => setTimeout(r, 150));
  }
  console.log(`# server ${base} (${dbUrl.replace(/\/\/[^@/]*@/, '//…@')})`);
  return {
    base, log,
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers.
let server, browser;

// Contexts opened by the running test; the runner screenshots them on failure and closes them.
let openContexts = [];

async function newPage(opts = {}) {
  const context = await browser.newContext({ locale: 'ko-KR', viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...opts });
  context.setDefaultTimeout(10_000);
  openContexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`  ! page error on ${page.url()}: ${e.message}`));
  return page;
}

const url = (path) => server.base + path;
const pathOf = (page) => new URL(page.url()).pathname;
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

async function login(page, email, password = PASSWORD) {
  await page.goto(url('/login'));
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type=submit]')]);
  assert.notEqual(pathOf(page), '/login', `login as ${email} failed: still on /login`);
}

/// Types into a suggestion box and clicks the suggestion button with the given code.
async function pickSuggestion(page, field, query, codes) {
  const search = page.locator(`#${field}-search`);
  await search.click();
  await search.fill('');
  await search.pressSequentially(query, { delay: 20 });
  const sel = codes.map((c) => `#${field}-options [data-add-code="${c}"]`).join(', ');
  const button = page.locator(sel).first();
  await button.waitFor({ state: 'visible' });
  const code = await button.getAttribute('data-add-code');
  await button.click();
  const value = await page.inputValue(`#${field}`);
  assert.ok(value.split(',').map((s) => s.trim()).includes(code), `#${field} should contain ${code} after clicking its suggestion, has "${value}"`);
  return code;
}

/// Waits until (smooth) scrolling has stopped.
async function settleScroll(page) {
  await page.evaluate(() => new Promise((done) => {
    let last = -1, same = 0;
    const tick = () => { if (window.scrollY === last && ++same >= 4) return done(); if (window.scrollY !== last) same = 0; last = window.scrollY; setTimeout(tick, 50); };
    tick();
  }));
}

/// Each link of the error summary focuses its field, and nothing (a sticky header) covers it.
async function followSummaryLinks(page) {
  const targets = await page.$$eval('#error-summary a[href^="#"]', (as) => as.map((a) => a.getAttribute('href').slice(1)));
  assert.ok(targets.length > 0, 'the error summary links to the fields');
  for (const id of targets) {
    await page.click(`#error-summary a[href="#${id}"]`);
    assert.equal(await page.evaluate(() => document.activeElement?.id), id, `the summary link focuses #${id}`);
    await settleScroll(page);
    const covered = await page.evaluate((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + 10, r.top + 4);
      return hit && hit.id !== id ? hit.outerHTML.slice(0, 100) : null;
    }, id);
    assert.equal(covered, null, `the focused #${id} is not covered by ${covered}`);
    await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  }
}

/// A valid, random Korean business registration number (check digit per the NTS rule).
function randomBrn() {
  const w = [1, 3, 7, 1, 3, 7, 1, 3, 5];
  for (;;) {
    const d = Array.from({ length: 9 }, () => Math.floor(Math.random() * 10));
    if (d[0] === 0) continue;
    let sum = d.reduce((s, x, i) => s + x * w[i], 0) + Math.floor((d[8] * 5) / 10);
    d.push((10 - (sum % 10)) % 10);
    const s = d.join('');
    return `${s.slice(0, 3)}-${s.slice(3, 5)}-${s.slice(5)}`;
  }
}
function withWrongCheckDigit(brn) {
  const last = Number(brn.at(-1));
  return brn.slice(0, -1) + String((last + 1) % 10);
}

// axe: fails on "serious" and "critical"; prints everything it finds.
const axeReport = [];
async function checkA11y(page, label) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    const slim = (v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })) });
    return { violations: r.violations.map(slim), incomplete: r.incomplete.length };
  });
  // axe does not measure the text of selects or placeholders; KRDS greys both without its script.
  const formText = await page.evaluate(() => {
    const parse = (c) => { const n = c.match(/[\d.]+/g).map(Number); return { r: n[0], g: n[1], b: n[2], a: n.length > 3 ? n[3] : 1 }; };
    const lum = ({ r, g, b }) => [r, g, b].map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
    const bgOf = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c.a > 0.9) return c; } return { r: 255, g: 255, b: 255 }; };
    const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
    const out = [];
    for (const el of document.querySelectorAll('select, input[placeholder]')) {
      if (!el.getClientRects().length || el.disabled) continue;
      const fg = parse(getComputedStyle(el, el.tagName === 'SELECT' ? null : '::placeholder').color);
      const r = ratio(fg, bgOf(el));
      if (r < 4.5) out.push({ target: `#${el.id || el.name}`, summary: `${el.tagName === 'SELECT' ? 'select text' : 'placeholder'} contrast ${r.toFixed(2)}:1 < 4.5:1` });
    }
    return out;
  });
  if (formText.length) res.violations.push({ id: 'gd-form-text-contrast', impact: 'serious', help: 'Select text and placeholders have at least 4.5:1 contrast', nodes: formText });
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeReport.push({ label, url: pathOf(page), violations: res.violations });
  for (const v of res.violations) {
    console.log(`  axe ${label}: ${v.impact} ${v.id} — ${v.help}`);
    for (const n of v.nodes.slice(0, 8)) console.log(`      ${n.target}${n.summary ? '  | ' + n.summary.replace(/\s+/g, ' ').slice(0, 220) : ''}`);
    if (v.nodes.length > 8) console.log(`      … ${v.nodes.length - 8} more`);
  }
  assert.equal(bad.length, 0, `${label}: ${bad.length} serious/critical axe violation(s): ${bad.map((v) => v.id).join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Journeys.
const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const newUser = { name: `E2E 담당자 ${stamp}`, email: `e2e-${stamp}@example.test`, company: `E2E 테스트기업 ${stamp}`, brn: randomBrn() };
let newCompanyCreated = false;

test('a. sign-up → company profile', async () => {
  const page = await newPage();
  await page.goto(url('/signup'));
  await page.fill('#display_name', newUser.name);
  await page.fill('#email', newUser.email);
  await page.fill('#password', `pw-${stamp}-Secure!`);
  await Promise.all([page.waitForURL(/\/login\?confirmed=1/), page.click('form.gd-form button[type=submit]')]);
  await shot(page, 'a1-signup-confirmed');

  await login(page, newUser.email, `pw-${stamp}-Secure!`);
  assert.equal(pathOf(page), '/desk', 'a new company member lands on /desk');
  await page.getByText(KO['desk-no-company']).waitFor();

  // First try: a wrong check digit. 422, summary, message next to the field, nothing saved.
  await page.goto(url('/company'));
  const wrongBrn = withWrongCheckDigit(newUser.brn);
  await page.fill('#brn', wrongBrn);
  await page.fill('#name_ko', newUser.company);
  await page.fill('#name_en', `E2E Test Co ${stamp}`);
  await page.selectOption('#region', '26');
  await page.selectOption('#ksic', '26');
  await page.fill('#founded_on', '2015-03-02');
  await page.fill('#employees', '42');
  await page.fill('#revenue_krw', '5000000000');
  await page.fill('#exports_usd', '1500000');
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/company'),
    page.click('form[action="/company"] button[type=submit]'),
  ]);
  assert.equal(resp.status(), 422, 'a wrong BRN check digit answers 422');
  await page.waitForLoadState();
  await page.locator('#error-summary').waitFor();
  const err = (await page.textContent('#brn-err')).trim();
  assert.equal(err, KO['err-brn-checksum'], 'Korean checksum message next to the BRN field');
  assert.match(err, /[가-힣]/);
  assert.equal(await page.getAttribute('#brn', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#brn', 'aria-describedby'), /\bbrn-err\b/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary', 'focus moves to the error summary');
  assert.equal(await page.inputValue('#name_ko'), newUser.company, 'entered values are kept');
  await shot(page, 'a2-company-brn-error');
  await followSummaryLinks(page);

  const check = await newPage({ storageState: await page.context().storageState() });
  await check.goto(url('/desk'));
  await check.getByText(KO['desk-no-company']).waitFor();
  await check.context().close();

  // Second try: a valid profile with an HS code and countries picked from suggestions.
  await page.fill('#brn', newUser.brn);
  // Enter in a suggestion box searches; it must not submit the profile.
  const posts = [];
  const onRequest = (r) => { if (r.method() === 'POST') posts.push(r.url()); };
  page.on('request', onRequest);
  await page.locator('#products-search').pressSequentially('스마트폰', { delay: 20 });
  await page.keyboard.press('Enter');
  await page.locator('#products-options [data-add-code]').first().waitFor();
  await page.waitForTimeout(300);
  page.off('request', onRequest);
  assert.deepEqual(posts, [], 'Enter in the HS search box does not submit the form');
  assert.equal(pathOf(page), '/company');
  const hs = await pickSuggestion(page, 'products', '스마트폰', ['851713', '8517130000']);
  await pickSuggestion(page, 'export_countries', '베트남', ['VN']);
  await pickSuggestion(page, 'export_countries', 'Indonesia', ['ID']);
  await pickSuggestion(page, 'target_countries', '인도네시아', ['ID']);
  assert.equal(await page.inputValue('#export_countries'), 'VN, ID');
  // KRDS draws the box on the label: a mouse user clicks the label, a keyboard user presses Space.
  await page.click('label[for=consent]');
  assert.ok(await page.isChecked('#consent'), 'clicking the consent label checks the box');
  await page.focus('#consent');
  await page.keyboard.press('Space');
  assert.ok(!(await page.isChecked('#consent')), 'Space unchecks the box');
  await page.keyboard.press('Space');
  assert.ok(await page.isChecked('#consent'), 'Space checks the box');
  await shot(page, 'a3-company-filled');
  await Promise.all([page.waitForURL(/\/company\?saved=1/), page.click('form[action="/company"] button[type=submit]')]);
  await page.locator('.gd-flash', { hasText: KO['flash-saved'] }).waitFor();
  assert.equal(await page.inputValue('#brn'), newUser.brn);
  assert.match(await page.inputValue('#products'), new RegExp(hs));
  newCompanyCreated = true;
  await shot(page, 'a4-company-saved');

  await page.goto(url('/desk'));
  await page.getByRole('heading', { name: newUser.company }).waitFor();
  const facts = Object.fromEntries(await page.$$eval('.gd-figures > div', (ds) => ds.map((d) => [d.querySelector('dt').childNodes[0].textContent.trim(), d.querySelector('dd').textContent.trim()])));
  const age = facts[KO['fact-age']];
  const expectedAge = new Date().getFullYear() - 2015 - (new Date() < new Date(new Date().getFullYear(), 2, 2) ? 1 : 0);
  assert.equal(age, `${expectedAge}년`, `desk shows the age (${JSON.stringify(facts)})`);
  const stage = facts[KO['field-stage']];
  assert.ok(stage && stage.length > 0 && stage !== '—', `desk shows an export stage (${JSON.stringify(facts)})`);
  assert.equal(await page.locator('p.gd-alert', { hasText: KO['desk-no-consent'] }).count(), 0, 'no missing-consent notice after consenting');
  await shot(page, 'a5-desk');
});

test('b. officer search, detail and exports', async () => {
  const page = await newPage();
  await login(page, 'officer@demo.test');
  assert.equal(pathOf(page), '/companies', 'an officer lands on /companies');
  await page.selectOption('#region', '26');
  await page.fill('#hs', '85');
  await Promise.all([page.waitForURL(/region=26/), page.click('form.gd-filters button[type=submit]')]);
  const q = new URL(page.url()).searchParams;
  assert.equal(q.get('hs'), '85');
  const names = await page.$$eval('#companies-table tbody th[scope=row] a', (as) => as.map((a) => a.textContent.trim()));
  const count = await page.textContent('#result-count');
  assert.ok(names.length > 0, `results for Busan + HS 85 (${count})`);
  // On a reused database earlier runs' companies may push a name past page one: look it up then.
  const pages = await page.locator('nav.krds-pagination').count();
  const expected = ['예시기업 부산정밀 (데모)', ...(newCompanyCreated ? [newUser.company] : [])];
  for (const name of expected) {
    if (names.includes(name)) continue;
    assert.ok(pages > 0, `${name} is in the results for Busan + HS 85: ${names.join(' | ')}`);
    const again = await newPage({ storageState: await page.context().storageState() });
    await again.goto(url(`/companies?region=26&hs=85&q=${encodeURIComponent(name)}`));
    const found = await again.$$eval('#companies-table tbody th[scope=row] a', (as) => as.map((a) => a.textContent.trim()));
    assert.ok(found.includes(name), `${name} is in the results for Busan + HS 85 (looked up by name): ${found.join(' | ')}`);
  }
  const regions = await page.$$eval('#companies-table tbody tr td:nth-child(3)', (tds) => [...new Set(tds.map((t) => t.textContent.trim()))]);
  assert.ok(regions.length === 1 && /부산/.test(regions[0]), `only Busan rows: ${regions.join(', ')}`);
  assert.match(count, /\d/);
  await shot(page, 'b1-companies-filtered');

  // Exports carry the same filters.
  const csvLink = page.locator('a[href^="/companies/export.csv"]');
  assert.match(await csvLink.getAttribute('href'), /region=26/);
  const [csvDl] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
  const csv = readFileSync(await csvDl.path());
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV starts with the UTF-8 BOM');
  const header = csv.subarray(3).toString('utf8').split(/\r?\n/)[0];
  assert.match(header, /사업자등록번호/, `CSV header: ${header}`);
  for (const name of expected) assert.ok(csv.toString('utf8').includes(name), `CSV lists ${name}`);
  assert.ok(!csv.toString('utf8').includes('서울특별시'), 'CSV keeps the region filter');
  assert.match(csvDl.suggestedFilename(), /\.csv$/);
  const [xlsxDl] = await Promise.all([page.waitForEvent('download'), page.click('a[href^="/companies/export.xlsx"]')]);
  const xlsx = readFileSync(await xlsxDl.path());
  assert.equal(xlsx.subarray(0, 2).toString('latin1'), 'PK', 'XLSX is a zip file');
  assert.ok(xlsx.length > 1000, `XLSX has content (${xlsx.length} bytes)`);
  assert.match(xlsxDl.suggestedFilename(), /\.xlsx$/);

  // Detail with history: the company from journey a (created + edited), else the demo one.
  const target = newCompanyCreated ? newUser.company : '예시기업 부산정밀 (데모)';
  await page.goto(url(`/companies?region=26&hs=85&q=${encodeURIComponent(target)}`));
  await Promise.all([page.waitForURL(/\/companies\/\d+$/), page.click(`#companies-table a:text-is("${target}")`)]);
  await page.getByRole('heading', { level: 1, name: new RegExp(target.replace(/[()]/g, '\\$&')) }).waitFor();
  const entries = await page.locator('#history > li').count();
  assert.ok(entries > 0, `#history has entries on ${page.url()}`);
  if (newCompanyCreated) {
    const dl = await page.textContent('.gd-dl');
    assert.match(dl, /851713|8517130000/);
    assert.match(dl, /\(VN\)/);
    assert.match(dl, /\(ID\)/);
  }
  await shot(page, 'b2-company-detail');
});

test('c. language switch and Accept-Language', async () => {
  const page = await newPage();
  await page.goto(url('/login'));
  assert.equal(await page.getAttribute('html', 'lang'), 'ko');
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/lang/')), page.click('#lang-switch')]);
  assert.equal(pathOf(page), '/login', 'the switch returns to the same page');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.getByRole('link', { name: EN['nav-login'], exact: true }).first().waitFor();
  assert.equal((await page.textContent('h1')).trim(), EN['login-title']);
  await shot(page, 'c1-login-en');
  // The choice sticks while browsing.
  await page.goto(url('/'));
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/lang/')), page.click('#lang-switch')]);
  assert.equal(pathOf(page), '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'ko');
  await page.getByRole('link', { name: KO['nav-login'], exact: true }).first().waitFor();

  const en = await newPage({ locale: 'en-US' });
  await en.goto(url('/'));
  assert.equal(await en.getAttribute('html', 'lang'), 'en', 'Accept-Language en-US gets English');
  await en.getByRole('link', { name: EN['nav-login'], exact: true }).first().waitFor();
  assert.equal(await en.getAttribute('#lang-switch', 'lang'), 'ko');
  await shot(en, 'c2-home-en-accept-language');
  // Signing up from an English browser keeps English (the account stores the language).
  const email = `e2e-en-${stamp}@example.test`;
  await en.goto(url('/signup'));
  assert.equal(await en.getAttribute('html', 'lang'), 'en');
  await en.fill('#display_name', 'E2E English');
  await en.fill('#email', email);
  await en.fill('#password', `pw-${stamp}-Secure!`);
  await Promise.all([en.waitForURL(/\/login\?confirmed=1/), en.click('form.gd-form button[type=submit]')]);
  await login(en, email, `pw-${stamp}-Secure!`);
  assert.equal(pathOf(en), '/desk');
  assert.equal(await en.getAttribute('html', 'lang'), 'en');
  await en.getByRole('heading', { level: 1, name: EN['desk-title'] }).waitFor();
});

test('d. keyboard-only sign-in', async () => {
  const page = await newPage();
  await page.goto(url('/login'));
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const a = document.activeElement;
    const r = a.getBoundingClientRect();
    return { id: a.closest('#krds-skip-link') ? 'skip' : a.outerHTML.slice(0, 80), href: a.getAttribute('href'), visible: r.left >= 0 && r.top >= 0 && r.width > 0 };
  });
  assert.equal(skip.id, 'skip', 'first Tab reaches the skip link');
  assert.equal(skip.href, '#main');
  assert.ok(skip.visible, 'the focused skip link is on screen');
  await shot(page, 'd1-skip-link-focused');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'email', 'skip link, then Tab, reaches the e-mail field');
  await page.keyboard.type('company@demo.test');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(pathOf(page), '/desk', 'Enter signs in and lands on /desk');
  await page.getByRole('heading', { name: '예시기업 부산정밀 (데모)' }).waitFor();
});

// e. accessibility: one test per page and language.
const a11yPages = [
  { name: 'home', who: null, path: '/' },
  { name: 'login', who: null, path: '/login' },
  { name: 'signup', who: null, path: '/signup' },
  { name: 'sources', who: null, path: '/sources' },
  { name: 'desk', who: 'company@demo.test', path: '/desk' },
  { name: 'company-form', who: 'company@demo.test', path: '/company' },
  {
    name: 'company-form-errors', who: 'company@demo.test', path: '/company',
    async prepare(page) {
      await page.fill('#brn', '124-81-00999');
      await page.fill('#employees', 'many');
      await Promise.all([page.waitForNavigation(), page.click('form[action="/company"] button[type=submit]')]);
      await page.locator('#error-summary').waitFor();
      await followSummaryLinks(page);
      await page.fill('#products-search', '스마트폰');
      await page.locator('#products-options [data-add-code]').first().waitFor();
    },
  },
  { name: 'members', who: 'company@demo.test', path: '/company/members' },
  { name: 'companies', who: 'officer@demo.test', path: '/companies?region=26&hs=85' },
  {
    name: 'company-detail', who: 'officer@demo.test', path: '/companies',
    async prepare(page) {
      await Promise.all([page.waitForURL(/\/companies\/\d+$/), page.click('#companies-table tbody a >> nth=0')]);
    },
  },
  { name: 'tokens', who: 'officer@demo.test', path: '/account/tokens' },
  { name: 'insights', who: 'analyst@demo.test', path: '/insights' },
  { name: 'admin-users', who: 'admin@demo.test', path: '/admin/users' },
  { name: 'admin-audit', who: 'admin@demo.test', path: '/admin/audit' },
  { name: 'error-page', who: 'officer@demo.test', path: '/companies/987654321' },
];
const a11yRuns = [
  ...a11yPages.map((p) => ({ ...p, lang: 'ko' })),
  ...a11yPages.filter((p) => ['home', 'login', 'companies', 'company-form-errors', 'desk'].includes(p.name)).map((p) => ({ ...p, lang: 'en' })),
];
const sessions = new Map();
for (const run of a11yRuns) {
  test(`e. axe ${run.name} (${run.lang})`, async () => {
    const key = run.who;
    const locale = run.lang === 'en' ? 'en-US' : 'ko-KR';
    const page = await newPage({ locale, ...(sessions.has(key) ? { storageState: sessions.get(key) } : {}) });
    // Demo accounts keep Korean as their language; the cookie the switch sets takes precedence.
    if (run.lang === 'en') await page.context().addCookies([{ name: 'gd_lang', value: 'en', url: server.base }]);
    if (run.who && !sessions.has(key)) {
      await login(page, run.who);
      const state = await page.context().storageState();
      sessions.set(key, { ...state, cookies: state.cookies.filter((c) => c.name !== 'gd_lang') });
    }
    await page.goto(url(run.path));
    if (run.prepare) await run.prepare(page);
    assert.equal(await page.getAttribute('html', 'lang'), run.lang);
    await shot(page, `e-${run.name}-${run.lang}`);
    await checkA11y(page, `${run.name} (${run.lang})`);
  });
}

test('f. narrow screen (390 px): no sideways scrolling', async () => {
  const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const overflow = async (name) => {
    const [sw, w] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    await shot(page, `f-${name}-390`);
    assert.ok(sw <= w, `${name}: page is ${sw}px wide in a ${w}px viewport`);
  };
  for (const [name, path] of [['home', '/'], ['login', '/login'], ['signup', '/signup']]) { await page.goto(url(path)); await overflow(name); }
  await login(page, 'company@demo.test');
  await page.goto(url('/company'));
  await overflow('company-form');
  await page.goto(url('/desk'));
  await overflow('desk');
  const officer = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await login(officer, 'officer@demo.test');
  const [sw, w] = await officer.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  await shot(officer, 'f-companies-390');
  assert.ok(sw <= w, `companies: page is ${sw}px wide in a ${w}px viewport (the table scrolls inside its wrapper)`);
});

test('g. API documentation (Swagger UI) from the footer', async () => {
  const page = await newPage();
  await page.goto(url('/'));
  await Promise.all([page.waitForURL(/\/api\/docs/), page.click(`footer a:text-is("${KO['footer-api']}")`)]);
  await page.locator('.opblock').first().waitFor({ timeout: 15_000 });
  const paths = await page.$$eval('.opblock-summary-path', (ps) => ps.map((p) => p.textContent.trim()));
  assert.ok(paths.some((p) => p.startsWith('/api/v1/companies')), `Swagger UI lists the companies API: ${paths.join(', ')}`);
  await shot(page, 'g-api-docs');
});

test('h. company-form drafts stay with the person who typed them', async () => {
  const page = await newPage();
  const draft = `초안 ${stamp}`;
  await login(page, 'company@demo.test');
  await page.goto(url('/company'));
  const saved = await page.inputValue('#name_ko');
  await page.locator('#name_ko').fill('');
  await page.locator('#name_ko').pressSequentially(draft);
  await page.goto(url('/desk'));
  await page.goto(url('/company'));
  assert.equal(await page.inputValue('#name_ko'), draft, 'the unsaved draft comes back for its author');

  // Someone else signs in on the same browser without the first person signing out.
  const other = { email: `e2e-draft-${stamp}@example.test`, password: `pw-${stamp}-Draft!` };
  await page.goto(url('/signup'));
  await page.fill('#display_name', 'E2E Draft');
  await page.fill('#email', other.email);
  await page.fill('#password', other.password);
  await Promise.all([page.waitForURL(/\/login\?confirmed=1/), page.click('form.gd-form button[type=submit]')]);
  await login(page, other.email, other.password);
  await page.goto(url('/company'));
  assert.equal(await page.inputValue('#name_ko'), '', "another account does not get the first person's draft");
  assert.equal(await page.inputValue('#brn'), '', "another account does not see the first company's BRN");

  // Signing out forgets drafts.
  await login(page, 'company@demo.test');
  await page.goto(url('/company'));
  assert.equal(await page.inputValue('#name_ko'), draft);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('form[action="/logout"] button[type=submit]')]);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('gd-draft:')).length), 0, 'signing out removes drafts');
  await login(page, 'company@demo.test');
  await page.goto(url('/company'));
  assert.equal(await page.inputValue('#name_ko'), saved, 'after signing out and in, the saved value shows');
});

// i–l. Program catalog, programs for you, applications and review, rule editing (programs.mjs).
programJourneys({ test, newPage, url, pathOf, shot, login, checkA11y, KO, EN, REPO, stamp });
deskJourneys({ test, newPage, url, pathOf, shot, login, checkA11y, KO, EN, REPO, stamp });
navigatorJourneys({ test, newPage, url, pathOf, shot, login, checkA11y, KO, EN, REPO, stamp });

// ---------------------------------------------------------------------------------------------
// Main.
async function main() {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'globaldesk-e2e-'));
  let passed = 0;
  let failed = 0;
  const started = Date.now();
  try {
    server = await startServer(work);
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    for (const t of tests) {
      if (ONLY && !ONLY.test(t.name)) continue;
      const t0 = Date.now();
      openContexts = [];
      try {
        await t.fn();
        passed++;
        console.log(`ok - ${t.name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`not ok - ${t.name} (${Date.now() - t0} ms)`);
        console.log(String(e?.stack || e).split('\n').map((l) => '    ' + l).join('\n'));
        const slug = t.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
        let i = 0;
        for (const c of openContexts) for (const pg of c.pages()) {
          const file = join(SHOTS, `FAILED-${slug}-${i++}.png`);
          if (await pg.screenshot({ path: file, fullPage: true }).then(() => true, () => false)) console.log(`    screenshot: ${file} (${pg.url()})`);
        }
      } finally {
        for (const c of openContexts) await c.close().catch(() => {});
      }
    }
  } catch (e) {
    failed++;
    console.log(`not ok - setup`);
    console.log(String(e?.stack || e));
  } finally {
    await browser?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (failed && server) console.log(`# last server log lines:\n${server.log.join('').split('\n').slice(-30).join('\n')}`);
    rmSync(work, { recursive: true, force: true });
  }
  const serious = axeReport.flatMap((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'));
  const other = axeReport.flatMap((r) => r.violations.filter((v) => !(v.impact === 'serious' || v.impact === 'critical')));
  console.log(`# axe: ${axeReport.length} page(s) checked, ${serious.length} serious/critical, ${other.length} minor/moderate violation(s)`);
  console.log(`# ${((Date.now() - started) / 1000).toFixed(1)} s, screenshots in ${SHOTS}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, async () => { await server?.stop().catch(() => {}); process.exit(130); });
await main();
