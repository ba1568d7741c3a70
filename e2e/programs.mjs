// Program catalog journeys: the public catalog, a company's programs and application, an
// officer's review, and an officer's rule editing with tests and publication.
//
// run.mjs passes its runner and helpers in; each journey signs in by itself, and journey k uses
// journey j's application when j ran before it (else it applies itself).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

/// The demo officer of each agency (app/src/demo.rs).
const OFFICERS = { MSS: 'officer@demo.test', KOTRA: 'kotra@demo.test', KOSME: 'kosme@demo.test', KSURE: 'ksure@demo.test', BUSAN: 'busan@demo.test', KCS: 'customs@demo.test' };

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/// A Fluent message as a regular expression: each `{ $name }` becomes a named group (a repeat
/// of a name becomes a back-reference).
function ftlRe(msg, { anchored = true } = {}) {
  const seen = new Set();
  let src = '';
  let last = 0;
  for (const m of msg.matchAll(/\{\s*\$([a-z_]+)\s*\}/g)) {
    src += escapeRe(msg.slice(last, m.index));
    src += seen.has(m[1]) ? `\\k<${m[1]}>` : `(?<${m[1]}>.+?)`;
    seen.add(m[1]);
    last = m.index + m[0].length;
  }
  src += escapeRe(msg.slice(last));
  return new RegExp(anchored ? `^${src}$` : src);
}

/// A rule error with its position: `rule-err-at` wraps the message when the locale has it,
/// else the message carries "line/column" itself.
function ruleErrorRe(L, key) {
  const tpl = L['rule-err-at'] ? L['rule-err-at'].replace(/\{\s*\$message\s*\}/, () => L[key]) : L[key];
  return ftlRe(tpl, { anchored: false });
}

/// A Fluent message with its arguments filled in.
const ftl = (msg, args) => msg.replace(/\{\s*\$([a-z_]+)\s*\}/g, (_, k) => String(args[k]));

/// Integers in a count as the app prints them ("1,234").
const int = (s) => Number(String(s).replace(/[^\d]/g, ''));

/// One program of the demo catalogue by key: the few plain fields the journeys need.
function catalogProgram(repo, key) {
  const text = readFileSync(join(repo, 'data', 'programs', 'catalog.yaml'), 'utf8');
  const start = text.indexOf(`\n- key: ${key}\n`);
  assert.ok(start >= 0, `program ${key} is in data/programs/catalog.yaml`);
  const end = text.indexOf('\n- key: ', start + 1);
  const block = text.slice(start, end < 0 ? undefined : end);
  const field = (f) => (new RegExp(`^  ${f}: "?(.*?)"?$`, 'm').exec(block) || [])[1];
  return { key, agency: field('agency'), category: field('category'), title_ko: field('title_ko'), title_en: field('title_en') };
}

export function programJourneys(h) {
  const { test, newPage, url, pathOf, shot, login, checkA11y, KO, EN, REPO, stamp } = h;

  /// The texts of the visible program cards of a list.
  const cardTitles = (page, scope = '') => page.$$eval(`${scope} .gd-program-list > li.gd-program h2 a, ${scope} .gd-program-list > li.gd-program h3 a`, (as) => as.map((a) => a.textContent.trim()));

  /// Submits a GET filter form and waits for the new page.
  async function submitFilters(page, form = 'form.gd-filters') {
    await Promise.all([page.waitForURL((u) => u.search.length > 0), page.click(`${form} button[type=submit]`)]);
  }

  /// Switches the language with the header link and checks we came back to the same address.
  async function switchLanguage(page, to) {
    const before = new URL(page.url());
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/lang/')), page.click('#lang-switch')]);
    const after = new URL(page.url());
    assert.equal(after.pathname + after.search, before.pathname + before.search, 'the language switch returns to the same address (query kept)');
    assert.equal(await page.getAttribute('html', 'lang'), to);
  }

  /// The `<dd>` next to the `<dt>` with this text in a `.gd-dl` of the page.
  const ddOf = (page, dt) => page.evaluate((dt) => {
    for (const d of document.querySelectorAll('.gd-dl > dt')) if (d.textContent.trim() === dt) return d.nextElementSibling?.textContent.trim() ?? null;
    return null;
  }, dt);

  /// A Korean page. Signing in brings the account's stored language, which a language switch in
  /// another journey may have changed; the switch's cookie takes precedence over it.
  async function newKoPage(opts = {}) {
    const page = await newPage(opts);
    await page.context().addCookies([{ name: 'gd_lang', value: 'ko', url: url('/') }]);
    return page;
  }

  /// Waits for a full page load after a click (form posts answer with a redirect or a page).
  async function clickAndLoad(page, selector) {
    await Promise.all([page.waitForNavigation(), page.click(selector)]);
  }

  // -------------------------------------------------------------------------------------------
  test('i. programs catalog (anonymous): list, category filter, English, axe', async () => {
    const page = await newPage();
    await page.goto(url('/programs'));
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    assert.equal((await page.textContent('h1')).trim(), KO['programs-title']);
    const all = await cardTitles(page);
    assert.ok(all.length >= 10, `the catalog lists the demo programs (${all.length})`);
    assert.equal(await page.locator('nav.krds-pagination').count(), 0, 'the demo catalog fits on one page');
    assert.equal((await page.textContent('#result-count')).trim(), ftl(KO['programs-count'], { arg: all.length }), '#result-count counts the cards');
    await shot(page, 'i1-programs-ko');
    await checkA11y(page, 'programs (ko)');

    // Filter by the most frequent category.
    const badges = await page.$$eval('.gd-program-list > li.gd-program .krds-badge.bg-light-primary', (bs) => bs.map((b) => b.textContent.trim()));
    const freq = badges.reduce((m, b) => m.set(b, (m.get(b) || 0) + 1), new Map());
    const [label] = [...freq.entries()].sort((a, b) => b[1] - a[1])[0];
    const value = await page.$eval('#category', (s, label) => [...s.options].find((o) => o.textContent.trim() === label)?.value, label);
    assert.ok(value, `the category select offers "${label}"`);
    await page.selectOption('#category', value);
    await submitFilters(page);
    assert.equal(new URL(page.url()).searchParams.get('category'), value);
    const filtered = await cardTitles(page);
    assert.equal(filtered.length, freq.get(label), `${label}: as many programs as cards with that badge before (${filtered.join(' | ')})`);
    assert.ok(filtered.length < all.length, 'the filter narrows the list');
    const filteredBadges = await page.$$eval('.gd-program-list > li.gd-program .krds-badge.bg-light-primary', (bs) => [...new Set(bs.map((b) => b.textContent.trim()))]);
    assert.deepEqual(filteredBadges, [label], 'every listed program has the chosen category');
    assert.equal(await page.inputValue('#category'), value, 'the select keeps the chosen category');
    await shot(page, 'i2-programs-filtered-ko');

    // English, with the filter kept.
    await switchLanguage(page, 'en');
    assert.equal((await page.textContent('h1')).trim(), EN['programs-title']);
    assert.equal((await page.textContent('#result-count')).trim(), ftl(EN['programs-count'], { arg: filtered.length }));
    const enBadges = await page.$$eval('.gd-program-list > li.gd-program .krds-badge.bg-light-primary', (bs) => [...new Set(bs.map((b) => b.textContent.trim()))]);
    assert.deepEqual(enBadges, [EN[`cat-${value}`]], 'categories are in English');
    const enTitles = await cardTitles(page);
    assert.ok(enTitles.every((t) => !/[가-힣]/.test(t)), `program titles are in English: ${enTitles.join(' | ')}`);
    assert.equal(await page.textContent('label[for=category]'), EN['programs-filter-category']);
    await shot(page, 'i3-programs-filtered-en');
    await page.goto(url('/programs'));
    await checkA11y(page, 'programs (en)');

    // A program's page: no result for a visitor but an invitation to sign in, and its rule.
    await Promise.all([page.waitForURL(/\/programs\/\d+$/), page.click('.gd-program-list > li.gd-program h2 a >> nth=0')]);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.locator('#your-result', { hasText: EN['program-login-to-check'] }).waitFor();
    assert.equal(await page.locator('#your-result .gd-explain').count(), 0, 'a visitor gets no eligibility result');
    assert.equal(await page.locator('#apply-button').count(), 0, 'a visitor cannot apply');
    assert.match(await page.textContent('#program-rule'), /eligible if/);
    assert.ok(await ddOf(page, EN['program-agency']), 'the program page names its agency');
    await shot(page, 'i4-program-detail-en');
    await checkA11y(page, 'program detail (en, visitor)');
    await switchLanguage(page, 'ko');
    await page.locator('#your-result', { hasText: KO['program-login-to-check'] }).waitFor();
    await shot(page, 'i5-program-detail-ko');
    await checkA11y(page, 'program detail (ko, visitor)');
  });

  // -------------------------------------------------------------------------------------------
  // The company's application, shared with journey k.
  let application = null;

  /// Signs in as the demo company and applies to the first eligible KOTRA program whose page
  /// offers to apply; returns { id, programId, title }. Screenshots when `shots` is set.
  async function applyAsCompany(page, { shots = false } = {}) {
    await page.goto(url('/my/programs?agency=KOTRA&open=1'));
    const candidates = await page.$$eval('#group-eligible li.gd-program h3 a', (as) => as.map((a) => ({ href: a.getAttribute('href'), title: a.textContent.trim() })));
    assert.ok(candidates.length > 0, 'the demo company is eligible for an open KOTRA program');
    const tried = [];
    for (const c of candidates) {
      await page.goto(url(c.href));
      if ((await page.locator('#apply-button').count()) === 0) { tried.push(`${c.title}: no apply button`); continue; }
      assert.equal(await page.getAttribute('#your-result .gd-explain', 'data-outcome'), 'eligible', `${c.title} shows the company as eligible`);
      await page.fill('#note', `E2E ${stamp}: 신청합니다.`);
      if (shots) await shot(page, 'j7-apply-form');
      await clickAndLoad(page, '#apply-button');
      if (/^\/applications\/\d+$/.test(pathOf(page))) {
        return { id: Number(pathOf(page).split('/').pop()), programId: Number(c.href.split('/').pop()), title: c.title };
      }
      // On a reused database an earlier run may have applied already: try the next program.
      const err = (await page.locator('#apply-error').textContent().catch(() => '')).trim();
      assert.equal(err, KO['err-apply-open'], `applying to ${c.title} failed: ${err || page.url()}`);
      tried.push(`${c.title}: ${err}`);
    }
    assert.fail(`no KOTRA program took the application: ${tried.join('; ')}`);
  }

  /// Which group of "programs for you" lists a catalogue program (filtered by its category, so
  /// that it is on the first page of its group): 'eligible', 'unknown', 'near' or null.
  async function groupOf(page, prog) {
    await page.goto(url(`/my/programs?category=${prog.category}`));
    for (const g of ['eligible', 'unknown', 'near']) if ((await cardTitles(page, `#group-${g}`)).includes(prog.title_ko)) return g;
    return null;
  }

  test('j. company: programs for you, facts, apply', async () => {
    const brandK = catalogProgram(REPO, 'mss-brand-k');
    const page = await newKoPage();
    await login(page, 'company@demo.test');

    // Start from "venture certificate not given" (a reused database keeps the last run's answer).
    await page.goto(url('/company/facts'));
    if ((await page.inputValue('#venture_certified')) !== '') {
      await page.selectOption('#venture_certified', '');
      await Promise.all([page.waitForURL(/\/company\/facts\?saved=1/), page.click('form[action="/company/facts"] button[type=submit]')]);
    }

    await page.goto(url('/my/programs'));
    assert.equal((await page.textContent('h1')).trim(), KO['my-programs-title']);
    const eligible = await cardTitles(page, '#group-eligible');
    assert.ok(eligible.length > 0, 'the demo company has programs it can apply for');
    const outcomes = await page.$$eval('#group-eligible li.gd-program', (lis) => [...new Set(lis.map((l) => l.dataset.outcome))]);
    assert.deepEqual(outcomes, ['eligible']);
    await page.locator('#group-near').waitFor();
    assert.equal(await page.locator('#group-eligible details').count() > 0, true, 'the first eligible programs come with a full explanation');
    // The others have a one-sentence reason and a link to the program's result.
    const short = await page.$$eval('#group-eligible li.gd-program:not(:has(details))', (lis) => lis.map((li) => ({ id: li.querySelector('h3 a').getAttribute('href'), text: li.querySelector('.gd-explain-summary')?.textContent.trim(), why: li.querySelector('.gd-explain-summary a')?.getAttribute('href') })));
    for (const s of short) {
      assert.match(s.text || '', ftlRe(KO['explain-summary-eligible'], { anchored: false }), `a one-sentence reason for ${s.id}: ${s.text}`);
      assert.equal(s.why, `${s.id}#your-result`, `the "why" link of ${s.id} leads to its result`);
    }
    // Open the first explanation: a summary and the conditions, each marked met.
    const first = page.locator('#group-eligible li.gd-program').first();
    const details = first.locator('details');
    assert.equal(await details.evaluate((d) => d.open), false, 'explanations start closed');
    assert.equal(await first.locator('.gd-explain').isVisible(), false);
    await details.locator('summary').click();
    assert.equal(await details.evaluate((d) => d.open), true, 'clicking the summary opens the explanation');
    await first.locator('.gd-explain').waitFor({ state: 'visible' });
    const summary = (await first.locator('.gd-explain-summary').textContent()).trim();
    assert.match(summary, ftlRe(KO['explain-summary-eligible']), `a readable summary: ${summary}`);
    assert.equal((await details.locator('summary').textContent()).trim(), summary, 'the <summary> reads the same as the explanation');
    const lines = await first.locator('.gd-explain .gd-line').allTextContents();
    assert.ok(lines.length >= 2, `the explanation lists conditions: ${lines.join(' | ')}`);
    const reqs = await first.locator('.gd-explain li.gd-req-item').evaluateAll((lis) => lis.map((li) => [li.className, li.querySelector('.gd-line')?.textContent.trim()]));
    assert.ok(reqs.length >= 2 && reqs.every(([c]) => /\bgd-met\b/.test(c)), `every requirement of an eligible program is met: ${JSON.stringify(reqs)}`);
    assert.ok(reqs.every(([, l]) => l.startsWith(KO['req-met'])), `each requirement starts with "${KO['req-met']}": ${JSON.stringify(reqs)}`);
    assert.ok(lines.some((l) => l.includes('—')), `conditions quote the company's own values: ${lines.join(' | ')}`);
    await shot(page, 'j1-my-programs');
    await checkA11y(page, 'my programs (ko, explanation open)');

    // The program's own page gives the same result.
    const firstTitle = (await first.locator('h3 a').textContent()).trim();
    await Promise.all([page.waitForURL(/\/programs\/\d+$/), first.locator('h3 a').click()]);
    assert.equal((await page.textContent('h1')).trim(), firstTitle);
    assert.equal(await page.getAttribute('#your-result .gd-explain', 'data-outcome'), 'eligible');
    assert.equal((await page.textContent('#your-result .gd-explain-summary')).trim(), summary, 'the program page explains as "programs for you" does');
    await shot(page, 'j2-program-result');
    await checkA11y(page, 'program detail (ko, company)');

    // Brand K asks for a venture or Inno-Biz certificate, which the company has not given.
    assert.equal(await groupOf(page, brandK), 'unknown', `${brandK.title_ko} needs more information while the venture certificate is not given`);
    await shot(page, 'j3-my-programs-brand-k-unknown');

    // Extra facts: a bad number first. Nothing is saved, the typed values stay.
    await page.goto(url('/company/facts'));
    await page.selectOption('#venture_certified', 'true');
    await page.fill('#rnd_spend_krw', '많음');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/company/facts"] button[type=submit]')]);
    assert.equal(pathOf(page), '/company/facts');
    const err = page.locator('#field-rnd_spend_krw .form-hint-invalid');
    await err.waitFor();
    assert.equal((await err.textContent()).trim(), KO['err-fact-value']);
    assert.equal(await page.getAttribute('#rnd_spend_krw', 'aria-invalid'), 'true');
    assert.match(await page.getAttribute('#rnd_spend_krw', 'aria-describedby'), /\brnd_spend_krw-err\b/);
    assert.equal(await page.locator('.form-hint-invalid').count(), 1, 'only the bad field shows an error');
    assert.equal(await page.inputValue('#rnd_spend_krw'), '많음', 'the typed value is kept');
    assert.equal(await page.inputValue('#venture_certified'), 'true', 'the other answers are kept');
    assert.equal(await page.locator('.gd-flash').count(), 0, 'no "saved" message');
    await shot(page, 'j4-facts-error');
    await checkA11y(page, 'company facts with an error (ko)');
    const check = await newPage({ storageState: await page.context().storageState() });
    await check.goto(url('/company/facts'));
    assert.equal(await check.inputValue('#venture_certified'), '', 'nothing was saved: venture certificate still not given');
    assert.equal(await check.inputValue('#rnd_spend_krw'), '', 'nothing was saved: R&D spending still empty');
    await check.context().close();

    // Then a good answer.
    await page.fill('#rnd_spend_krw', '');
    await page.selectOption('#venture_certified', 'true');
    await Promise.all([page.waitForURL(/\/company\/facts\?saved=1/), page.click('form[action="/company/facts"] button[type=submit]')]);
    await page.locator('.gd-flash', { hasText: KO['facts-saved'] }).waitFor();
    assert.equal(await page.inputValue('#venture_certified'), 'true');
    assert.equal(await page.inputValue('#rnd_spend_krw'), '');
    await shot(page, 'j5-facts-saved');
    await checkA11y(page, 'company facts saved (ko)');

    // Brand K needed the certificate: it moves to the programs the company can apply for.
    assert.equal(await groupOf(page, brandK), 'eligible', `${brandK.title_ko} is eligible once the venture certificate is given`);
    await shot(page, 'j6-my-programs-brand-k-eligible');

    // Apply to an open KOTRA program the company qualifies for.
    const app = await applyAsCompany(page, { shots: true });
    assert.equal(new URL(page.url()).searchParams.get('created'), '1');
    await page.locator('.gd-flash', { hasText: KO['application-created'] }).waitFor();
    assert.equal(await page.getAttribute('#application-status', 'data-status'), 'submitted');
    assert.equal((await page.textContent('#application-status')).trim(), KO['status-submitted']);
    assert.equal(await ddOf(page, KO['application-note']), `E2E ${stamp}: 신청합니다.`, 'the note is kept');
    assert.equal(await ddOf(page, KO['queue-program']), app.title);
    const decision = page.locator('#decision');
    await decision.waitFor();
    assert.equal(await decision.locator('.gd-explain').getAttribute('data-outcome'), 'eligible', 'the stored decision says eligible');
    assert.match(await decision.locator('.gd-explain-summary').textContent(), ftlRe(KO['explain-summary-eligible'], { anchored: false }));
    assert.ok((await page.locator('.gd-timeline li').count()) >= 1, 'the history has the submission');
    assert.equal(await page.locator('#move-button').count(), 1, 'the company may withdraw a submitted application');
    assert.deepEqual(await page.$$eval('#to option', (os) => os.map((o) => o.value)), ['withdrawn'], 'the company can only withdraw');
    await shot(page, 'j8-application-submitted');
    await checkA11y(page, 'application (ko, company)');

    await page.goto(url('/applications'));
    const row = page.locator(`#applications-table tbody tr:has(a[href="/applications/${app.id}"])`);
    assert.equal(await row.locator('td[data-status]').getAttribute('data-status'), 'submitted');
    await shot(page, 'j9-applications');
    await checkA11y(page, 'applications (ko, company)');
    application = app;
  });

  // -------------------------------------------------------------------------------------------
  test('k. officer reviews the application; the company sees the approval', async () => {
    if (!application) {
      const company = await newKoPage();
      await login(company, 'company@demo.test');
      application = await applyAsCompany(company);
      await company.context().close();
    }
    const app = application;

    // Which agency owns the program, from the program page, and that agency's officer.
    const visitor = await newPage();
    await visitor.goto(url('/programs'));
    const agencies = await visitor.$$eval('#agency option', (os) => Object.fromEntries(os.filter((o) => o.value).map((o) => [o.textContent.trim(), o.value])));
    await visitor.goto(url(`/programs/${app.programId}`));
    const agencyName = await ddOf(visitor, KO['program-agency']);
    const code = agencies[agencyName];
    assert.ok(code && OFFICERS[code], `the program's agency "${agencyName}" has a demo officer (${JSON.stringify(agencies)})`);
    assert.equal(code, 'KOTRA', 'journey j applied to a KOTRA program');
    await visitor.context().close();

    const officer = await newKoPage();
    await login(officer, OFFICERS[code]);
    await officer.goto(url('/officer/applications'));
    assert.equal((await officer.textContent('h1')).trim(), KO['queue-title']);
    const row = officer.locator(`#queue-table tbody tr:has(a[href="/applications/${app.id}"])`);
    await row.waitFor();
    assert.equal(await row.locator('td[data-status]').getAttribute('data-status'), 'submitted');
    assert.equal((await row.locator('th[scope=row]').textContent()).trim(), app.title);
    await shot(officer, 'k1-queue');
    await checkA11y(officer, 'review queue (ko)');
    await Promise.all([officer.waitForURL(new RegExp(`/applications/${app.id}$`)), row.locator('th[scope=row] a').click()]);
    assert.equal(await officer.getAttribute('#application-status', 'data-status'), 'submitted');
    await officer.locator('#decision').waitFor();
    const moves = await officer.$$eval('#to option', (os) => os.map((o) => o.value));
    assert.deepEqual(moves.slice().sort(), ['rejected', 'under_review'], `the officer may start the review or reject: ${moves}`);
    await shot(officer, 'k2-application-officer');
    await checkA11y(officer, 'application (ko, officer)');

    for (const [to, n] of [['under_review', 3], ['approved', 4]]) {
      await officer.selectOption('#to', to);
      await officer.fill('#note', `E2E ${to}`);
      await Promise.all([officer.waitForURL(/\?moved=1$/), officer.click('#move-button')]);
      await officer.locator('.gd-flash', { hasText: KO['application-moved'] }).waitFor();
      assert.equal(await officer.getAttribute('#application-status', 'data-status'), to);
      assert.equal((await officer.textContent('#application-status')).trim(), KO[`status-${to}`]);
      const history = await officer.locator('.gd-timeline li').allTextContents();
      assert.ok(history.some((l) => l.includes(KO[`status-${to}`]) && l.includes(`E2E ${to}`)), `the history records the move to ${to} with its note: ${history.join(' | ')}`);
      await shot(officer, `k${n}-application-${to.replace('_', '-')}`);
    }
    assert.deepEqual(await officer.$$eval('#to option', (os) => os.map((o) => o.value)), ['completed'], 'an approved application can only be completed');

    // The company: status approved, and a notification for each move the agency made.
    const company = await newKoPage();
    await login(company, 'company@demo.test');
    const count = await (await company.request.get(url('/notifications/count'))).json();
    assert.ok(count.unread >= 2, `at least two unread notifications (${JSON.stringify(count)})`);
    await company.goto(url(`/applications/${app.id}`));
    assert.equal(await company.getAttribute('#application-status', 'data-status'), 'approved');
    assert.equal((await company.textContent('#application-status')).trim(), KO['status-approved']);
    assert.equal(await company.locator('#move-button').count(), 0, 'the company cannot move an approved application');
    await company.locator('#decision').waitFor();
    await shot(company, 'k5-application-approved-company');
    await checkA11y(company, 'application approved (ko, company)');
    await company.goto(url('/notifications'));
    const items = await company.locator('#notifications li').allTextContents();
    const approved = ftl(KO['notification-application_status'], { arg: `${app.title} — ${KO['status-approved']}` });
    const review = ftl(KO['notification-application_status'], { arg: `${app.title} — ${KO['status-under_review']}` });
    assert.ok(items.some((t) => t.includes(approved)), `a notification says "${approved}": ${items.join(' | ')}`);
    assert.ok(items.some((t) => t.includes(review)), `a notification says "${review}": ${items.join(' | ')}`);
    const link = company.locator(`#notifications a`, { hasText: approved }).first();
    assert.equal(await link.getAttribute('href'), `/applications/${app.id}`, 'the notification links to the application');
    await shot(company, 'k6-notifications');
    await checkA11y(company, 'notifications (ko)');
    const after = await (await company.request.get(url('/notifications/count'))).json();
    assert.equal(after.unread, 0, 'reading the notifications marks them read');
    await Promise.all([company.waitForURL(new RegExp(`/applications/${app.id}$`)), link.click()]);
  });

  // -------------------------------------------------------------------------------------------
  test('l. officer edits a rule: live check, tests, publish', async () => {
    // A KOTRA program whose own test cases allow the change below (none is a Busan company that
    // should qualify), and which is not yet in force, so no company is told about it.
    const prog = catalogProgram(REPO, 'kotra-export-academy');
    assert.equal(prog.agency, 'KOTRA');
    const page = await newKoPage();
    await login(page, 'kotra@demo.test');
    await page.goto(url('/officer/programs'));
    await checkA11y(page, 'manage programs (ko)');
    await Promise.all([page.waitForURL(/\/officer\/programs\/\d+$/), page.click(`#admin-programs-table a:text-is("${prog.title_ko}")`)]);
    const editor = pathOf(page);
    await page.locator('#rule-ok').waitFor();
    assert.equal(await page.isDisabled('#publish'), true, 'publish is disabled without a draft');

    // In English from here on.
    await switchLanguage(page, 'en');
    assert.equal((await page.textContent('h1')).trim(), prog.title_en);
    await page.locator('#rule-ok', { hasText: EN['admin-rule-ok'] }).waitFor();
    const preview0 = ftlRe(EN['admin-rule-preview']).exec((await page.textContent('#rule-preview')).trim());
    assert.ok(preview0, `the preview reads like "${EN['admin-rule-preview']}"`);
    await shot(page, 'l1-editor-en');
    await checkA11y(page, 'program editor (en)');

    // Exclude Busan companies, first with a misspelt fact.
    const ours = (l) => /^\s*and region != "26"\s*$/.test(l);
    const published = (await page.inputValue('#rule')).split('\n');
    const original = published.filter((l) => !ours(l)); // a reused database has it from a past run
    const at = original.findIndex((l) => /^\s*points\b/.test(l));
    const insertAt = at < 0 ? original.length : at;
    const withLine = (cond) => [...original.slice(0, insertAt), `  and ${cond}`, ...original.slice(insertAt)].join('\n');
    await page.fill('#rule', withLine('regin != "26"'));
    const error = page.locator('#rule-check #rule-error');
    await error.waitFor();
    const errText = (await error.textContent()).trim();
    const m = ruleErrorRe(EN, 'rule-err-unknown-fact').exec(errText);
    assert.ok(m, `the error reads like ${ruleErrorRe(EN, 'rule-err-unknown-fact')}: ${errText}`);
    assert.equal(m.groups.name, 'regin');
    assert.equal(Number(m.groups.line), insertAt + 1, `the error is on line ${insertAt + 1}: ${errText}`);
    assert.equal(Number(m.groups.column), 7, `the error is at column 7, where "regin" starts: ${errText}`);
    assert.match(errText, /\bregion\b/, `the error suggests "region": ${errText}`);
    assert.equal(await page.locator('#rule-check #rule-ok').count(), 0);
    assert.equal(await page.locator('#rule-check #rule-preview').count(), 0);
    await shot(page, 'l2-rule-error-en');
    await checkA11y(page, 'program editor with a rule error (en)');

    // Fixed: valid, with a count, the difference to the published version and the tests.
    await page.fill('#rule', withLine('region != "26"'));
    await page.locator('#rule-check #rule-ok').waitFor();
    await page.waitForFunction(() => !document.querySelector('#rule-check #rule-error'));
    const previewText = (await page.textContent('#rule-preview')).trim();
    const preview1 = ftlRe(EN['admin-rule-preview']).exec(previewText);
    assert.ok(preview1, `the preview reads like "${EN['admin-rule-preview']}": ${previewText}`);
    assert.ok(int(preview1.groups.total) > 0 && int(preview1.groups.eligible) <= int(preview1.groups.total), previewText);
    const diffText = (await page.textContent('#rule-diff')).trim();
    const diff = ftlRe(EN['admin-diff-summary'], { anchored: false }).exec(diffText);
    assert.ok(diff, `the difference reads like "${EN['admin-diff-summary']}": ${diffText}`);
    const [gained, lost] = [int(diff.groups.gained), int(diff.groups.lost)];
    assert.equal(int(preview1.groups.eligible), int(preview0.groups.eligible) + gained - lost, `preview and difference agree: ${preview0[0]} → ${previewText}; ${diffText}`);
    if (!published.some(ours)) assert.ok(lost > 0, `excluding Busan loses some companies: ${diffText}`);
    const tests = await page.locator('#rule-tests li').allTextContents();
    assert.ok(tests.length > 0 && tests.every((t) => t.trim().startsWith(EN['admin-tests-pass'])), `the program's tests pass: ${tests.join(' | ')}`);
    const sample = await page.locator('#rule-sample li').allTextContents();
    assert.ok(sample.length > 0 && sample.every((s) => !s.includes('부산') && !s.includes('Busan')), `the sample has no Busan company: ${sample.join(' | ')}`);
    await shot(page, 'l3-rule-ok-en');

    // Save the draft: publish becomes possible.
    await Promise.all([page.waitForURL(/\?saved=1$/), page.click('#save-draft')]);
    await page.locator('.gd-flash', { hasText: EN['admin-program-saved'] }).waitFor();
    assert.match(await page.inputValue('#rule'), /region != "26"/, 'the saved draft has the new condition');
    assert.equal(await page.isDisabled('#publish'), false, 'publish is enabled with a draft');
    await shot(page, 'l4-draft-saved-en');

    // Back in Korean: a test case that fails (a Busan novice, expected eligible) blocks publishing.
    await switchLanguage(page, 'ko');
    const testName = `E2E 부산 초보 수출기업 ${stamp}`;
    await page.fill('#test-name', testName);
    const caseJson = JSON.parse(await page.inputValue('#test-case'));
    assert.equal(caseJson.profile.region, '26', 'the example case is a Busan company');
    caseJson.as_of = '2027-01-20';
    await page.fill('#test-case', JSON.stringify(caseJson));
    await page.selectOption('#test-expect', 'eligible');
    await Promise.all([page.waitForURL(/\/officer\/programs\/\d+(#tests)?$/), page.click('form[action$="/tests"] button[type=submit]')]);
    const mine = page.locator('#tests li', { hasText: testName });
    await mine.waitFor();
    assert.match((await mine.textContent()).trim(), new RegExp(`^${escapeRe(KO['admin-tests-fail'])}`), 'the new test case fails against the draft');
    await shot(page, 'l5-failing-test-ko');
    await Promise.all([page.waitForNavigation(), page.click('#publish')]);
    const refused = (await page.locator('#page-error').textContent()).trim();
    const r = ftlRe(KO['err-tests-failed']).exec(refused);
    assert.ok(r, `publishing is refused: ${refused}`);
    assert.ok(r.groups.arg.includes(testName), `the refusal names the failing test: ${refused}`);
    assert.equal(await page.isDisabled('#publish'), false, 'the draft is still there');
    await shot(page, 'l6-publish-refused-ko');
    await checkA11y(page, 'program editor, publish refused (ko)');

    // Delete the failing case; publish. The flash reports the same difference as the check.
    await page.goto(url(editor));
    await Promise.all([page.waitForNavigation(), page.locator('#tests li', { hasText: testName }).locator('button[type=submit]').click()]);
    assert.equal(await page.locator('#tests li', { hasText: testName }).count(), 0, 'the test case is deleted');
    await Promise.all([page.waitForURL(/published=1/), page.click('#publish')]);
    const flash = (await page.locator('.gd-flash[role=status]').textContent()).trim();
    const f = ftlRe(KO['admin-program-published']).exec(flash);
    assert.ok(f, `the flash reads like "${KO['admin-program-published']}": ${flash}`);
    assert.equal(int(f.groups.gained), gained, `newly eligible as the check said: ${flash}`);
    assert.equal(int(f.groups.lost), lost, `no longer eligible as the check said: ${flash}`);
    assert.equal(int(f.groups.notified), 0, 'a program not yet in force notifies nobody');
    assert.equal(await page.isDisabled('#publish'), true, 'nothing left to publish');
    const versions = await page.locator('h2:text-is("' + KO['program-version-history'] + '") + ul li').allTextContents();
    assert.ok(versions[0]?.includes(KO['status-published']), `the newest version is published: ${versions.join(' | ')}`);
    assert.ok(versions.slice(1).some((v) => v.includes(KO['status-superseded'])), `the previous version is superseded: ${versions.join(' | ')}`);
    await page.locator('#rule-check #rule-diff', { hasText: ftl(KO['admin-diff-summary'], { gained: 0, lost: 0 }) }).waitFor();
    await shot(page, 'l7-published-ko');
  });
}
