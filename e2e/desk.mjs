// Regulatory issue desk journeys: a company reports a barrier and follows it to resolution while
// two agencies' officers triage, ask for information (the clock pauses and resumes), refer,
// resolve and publish a summary that anyone can then find in the knowledge base.
//
// run.mjs passes its runner and helpers in. The tests are ordered: each works on the case the
// first one reported (a later test fails with a clear message when an earlier one did not get
// that far). Names start with "desk" so that `E2E_ONLY='^desk'` selects them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/// A Fluent message with its arguments filled in.
const ftl = (msg, args) => msg.replace(/\{\s*\$([a-z_]+)\s*\}/g, (_, k) => String(args[k]));

/// The demo agencies (code → Korean and English name) and demo accounts (e-mail → display
/// name), read from the demo seed so the assertions follow what the server really creates.
function demoFacts(repo) {
  const text = readFileSync(join(repo, 'app', 'src', 'demo.rs'), 'utf8');
  const agencies = {};
  for (const m of text.matchAll(/\("([A-Z]+)", "([^"]+)", "([^"]+)", "[a-z_]+"\)/g)) agencies[m[1]] = { ko: m[2], en: m[3] };
  const people = {};
  for (const m of text.matchAll(/\("([^"@\s]+@demo\.test)", "([^"]+)", Role::/g)) people[m[1]] = m[2];
  for (const code of ['MSS', 'KOTRA']) assert.ok(agencies[code], `app/src/demo.rs names agency ${code}`);
  assert.ok(people['officer@demo.test'], 'app/src/demo.rs names officer@demo.test');
  return { agencies, people };
}

/// A small, valid-looking PDF, and an executable that pretends to be one.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
const EXE = Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.from([0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]), Buffer.from('This program cannot be run in DOS mode.\r\n$', 'latin1')]);

export function deskJourneys(h) {
  const { test, newPage, url, pathOf, shot, login, checkA11y, KO, EN, REPO, stamp } = h;
  const { agencies, people } = demoFacts(REPO);
  const MSS = agencies.MSS;
  const KOTRA = agencies.KOTRA;

  /// A page in a language chosen by the switch's cookie (which wins over the account's stored
  /// language, which the switch itself changes), optionally with a saved session.
  async function langPage(lang, session) {
    const page = await newPage({ locale: lang === 'en' ? 'en-US' : 'ko-KR', ...(session ? { storageState: session } : {}) });
    await page.context().addCookies([{ name: 'gd_lang', value: lang, url: url('/') }]);
    return page;
  }

  /// Sessions by account, so each test does not sign in again (the runner closes contexts).
  const sessions = new Map();
  async function signedIn(email, lang = 'ko') {
    const page = await langPage(lang, sessions.get(email));
    if (!sessions.has(email)) {
      await login(page, email);
      const state = await page.context().storageState();
      sessions.set(email, { ...state, cookies: state.cookies.filter((c) => c.name !== 'gd_lang') });
    }
    return page;
  }

  /// Clicks and waits for the page the form post redirects to.
  async function submitAndWait(page, selector, urlPattern) {
    await Promise.all([page.waitForURL(urlPattern), page.click(selector)]);
    await page.waitForLoadState();
  }

  const flash = (page, text) => page.locator('.gd-flash', { hasText: text }).waitFor();
  const attr = (page, sel, name) => page.getAttribute(sel, name);
  const text = async (page, sel) => (await page.textContent(sel)).trim();
  const timeline = (page) => page.$$eval('#case-timeline > li', (ls) => ls.map((l) => ({ kind: l.dataset.kind, text: l.querySelector('strong')?.textContent.trim() ?? '', all: l.textContent.replace(/\s+/g, ' ').trim() })));

  // What the journeys share: the reported case and the public summary.
  const kase = {
    id: null,
    title: `E2E 수출용 화장품 국내 서류 중복 요구 desk${stamp}`,
    description: '수출용 화장품 선적 전에 국내 기관 두 곳이 같은 성분 자료를 각각 요구하여 선적이 2주 지연되고 있습니다.',
    path: () => `/cases/${kase.id}`,
    stage: 0,
  };
  const kb = {
    id: null,
    word: `Deskkb${stamp}`,
    titleKo: `(E2E) 수출 화장품 국내 서류 중복 요구 해소 ${stamp}`,
    summaryKo: 'E2E 예시: 국내 두 기관이 같은 성분 자료를 요구하던 문제를 한 번 제출로 정리했습니다.',
    summaryEn: 'E2E example: two domestic bodies asking for the same ingredient file now accept a single submission.',
  };
  kb.titleEn = `(E2E) Duplicate domestic paperwork for exported cosmetics resolved ${kb.word}`;
  const needs = (n, what) => assert.ok(kase.stage >= n, `needs the earlier desk journey that ${what}`);

  // -------------------------------------------------------------------------------------------
  test('desk m1. company reports a case (ko): similar cases, errors, draft, edit, submit', async () => {
    const page = await signedIn('company@demo.test');
    await page.goto(url('/cases'));
    assert.equal(await text(page, 'h1'), KO['cases-title']);
    await Promise.all([page.waitForURL(/\/cases\/new$/), page.click(`#report-case:text-is("${KO['case-report']}")`)]);
    assert.equal(await text(page, 'h1'), KO['case-new-title']);

    // Typing a title that the knowledge base knows shows similar solved cases.
    await page.locator('#title').pressSequentially('할랄 인증', { delay: 30 });
    const similar = page.locator('#similar a[href^="/knowledge/"]').first();
    await similar.waitFor();
    assert.match(await similar.textContent(), /할랄/, 'the similar knowledge-base entry is about halal certification');
    assert.equal((await text(page, '#similar strong')), KO['similar-title']);
    await shot(page, 'desk-m1-similar');
    await checkA11y(page, 'case form with similar cases (ko)');

    // Submitting too short a description: the form comes back with the message at the field.
    await page.selectOption('#category', 'domestic');
    await page.selectOption('#country', 'KR');
    await page.fill('#title', kase.title);
    await page.fill('#hs_codes', '3304');
    await page.fill('#description', '짧은 설명');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/cases'),
      page.click('#submit-case'),
    ]);
    assert.equal(refused.status(), 422, 'a report with errors answers 422');
    await page.waitForLoadState();
    assert.equal(await text(page, '#description-err'), KO['case-error-description-short']);
    assert.equal(await attr(page, '#description', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#title'), kase.title, 'typed values are kept');
    assert.equal(await page.inputValue('#category'), 'domestic');
    await shot(page, 'desk-m1-errors');
    await checkA11y(page, 'case form with errors (ko)');

    // Saved as a draft first.
    await page.fill('#description', kase.description.slice(0, 30));
    await submitAndWait(page, '#save-draft', /\/cases\/\d+\?ok=case-flash-saved$/);
    kase.id = Number(/\/cases\/(\d+)/.exec(page.url())[1]);
    await flash(page, KO['case-flash-saved']);
    assert.equal(await attr(page, '#case-status', 'data-status'), 'draft');
    assert.equal(await text(page, '#case-status'), KO['case-status-draft']);
    assert.equal(await page.locator('#case-holder').count(), 0, 'a draft has no agency yet');
    assert.equal(await page.locator('#message-form').count(), 0, 'no messages on a draft');
    await shot(page, 'desk-m1-draft');

    // Edit the draft and submit it.
    await Promise.all([page.waitForURL(new RegExp(`/cases/${kase.id}/edit$`)), page.click('#edit-draft')]);
    assert.equal(await page.inputValue('#title'), kase.title);
    assert.equal(await page.inputValue('#category'), 'domestic');
    assert.equal(await page.inputValue('#country'), 'KR');
    assert.equal(await page.inputValue('#hs_codes'), '3304');
    await page.fill('#description', kase.description);
    await submitAndWait(page, '#submit-case', new RegExp(`/cases/${kase.id}\\?ok=case-flash-submitted$`));
    await flash(page, KO['case-flash-submitted']);
    assert.equal(await attr(page, '#case-status', 'data-status'), 'submitted');
    assert.equal(await text(page, '#case-holder'), MSS.ko, 'a domestic barrier goes to the MSS desk');
    assert.equal(await attr(page, '#case-waiting', 'data-waiting'), 'desk');
    assert.equal(await text(page, '#case-description'), kase.description);
    assert.match(await text(page, '#case-reference'), /^RD-\d{4}-\d{6}$/);
    assert.ok(['on_track', 'at_risk'].includes(await attr(page, '#sla-state', 'data-sla')), 'the clock runs');
    const kinds = (await timeline(page)).map((e) => e.kind);
    for (const k of ['created', 'submitted', 'routed']) assert.ok(kinds.includes(k), `the timeline has "${k}": ${kinds.join(', ')}`);
    await shot(page, 'desk-m1-submitted');
    await checkA11y(page, 'case page (ko, company)');

    await page.goto(url('/cases'));
    const row = page.locator(`#case-table tr[data-case="${kase.id}"]`);
    assert.equal(await row.locator('td[data-status]').getAttribute('data-status'), 'submitted', 'the list shows the case as submitted');
    await checkA11y(page, 'my cases (ko)');
    kase.stage = 1;
  });

  // -------------------------------------------------------------------------------------------
  test('desk m2. MSS officer finds, triages and asks for information: the clock pauses', async () => {
    needs(1, 'reported the case');
    const page = await signedIn('officer@demo.test');
    await page.goto(url('/officer/cases'));
    assert.equal(await text(page, 'h1'), KO['queue-cases-title']);
    await page.fill('#q', kase.title);
    await Promise.all([page.waitForURL(/[?&]q=/), page.click('#queue-search')]);
    const row = page.locator(`#case-table tbody tr[data-case="${kase.id}"]`);
    await row.waitFor();
    assert.equal(await page.locator('#case-table tbody tr[data-case]').count(), 1, 'the title finds exactly this case');
    assert.equal(await row.locator('td[data-status]').getAttribute('data-status'), 'submitted');
    await shot(page, 'desk-m2-queue');
    await checkA11y(page, 'officer queue (ko)');

    await Promise.all([page.waitForURL(new RegExp(`/cases/${kase.id}$`)), row.locator('th[scope=row] a').click()]);
    assert.equal(await attr(page, '#case-status', 'data-status'), 'submitted');

    // Assign to oneself, priority high.
    const me = people['officer@demo.test'];
    await page.selectOption('#assignee', { label: me });
    await page.selectOption('#priority', 'high');
    await submitAndWait(page, '#triage-button', /\?ok=case-flash-triaged$/);
    await flash(page, KO['case-flash-triaged']);
    assert.equal(await text(page, '#case-priority'), KO['case-priority-high']);
    assert.equal(await text(page, '#case-holder'), `${MSS.ko} · ${me}`);

    // Triaged.
    assert.ok((await page.$$eval('#move-to option', (os) => os.map((o) => o.value))).includes('triaged'), 'the officer may move a submitted case to triaged');
    await page.selectOption('#move-to', 'triaged');
    await page.fill('#move-note', 'E2E 검토 배정');
    await submitAndWait(page, '#move-button', /\?ok=case-flash-moved$/);
    await flash(page, KO['case-flash-moved']);
    assert.equal(await attr(page, '#case-status', 'data-status'), 'triaged');
    assert.equal(await text(page, '#case-status'), KO['case-status-triaged']);

    // A request for information: the case waits on the company and the clock stops.
    await page.selectOption('#msg-kind', 'request');
    await page.fill('#msg-body', 'E2E 요청: 두 기관의 요구 공문 사본을 보내 주세요.');
    await submitAndWait(page, '#send-message', /\?ok=case-flash-message$/);
    await flash(page, KO['case-flash-message']);
    assert.equal(await attr(page, '#case-waiting', 'data-waiting'), 'company');
    assert.equal(await text(page, '#case-waiting'), KO['case-waiting-company']);
    assert.equal(await attr(page, '#sla-state', 'data-sla'), 'paused');
    assert.equal(await text(page, '#sla-state'), KO['sla-paused']);
    const request = (await timeline(page)).find((e) => e.kind === 'request');
    assert.ok(request && request.text === KO['case-ev-request'] && request.all.includes('E2E 요청'), `the timeline shows the request: ${JSON.stringify(request)}`);
    await shot(page, 'desk-m2-request-paused');
    await checkA11y(page, 'case page (ko, officer)');

    // The queue's "waiting on the company" view has it.
    await page.goto(url(`/officer/cases?view=waiting_company&q=${encodeURIComponent(kase.title)}`));
    await page.locator(`#case-table tbody tr[data-case="${kase.id}"] [data-sla="paused"]`).waitFor();
    kase.stage = 2;
  });

  // -------------------------------------------------------------------------------------------
  test('desk m3. company answers with a PDF (an executable is refused); the officer downloads it', async () => {
    needs(2, 'asked the company for information');
    const page = await signedIn('company@demo.test');
    await page.goto(url(kase.path()));
    assert.equal(await attr(page, '#case-waiting', 'data-waiting'), 'company');
    assert.equal(await text(page, '#request-pending'), KO['case-request-pending']);
    assert.equal(await text(page, '#msg-h'), KO['case-answer-request']);
    assert.equal(await attr(page, '#sla-state', 'data-sla'), 'paused', 'the company sees the paused clock too');
    assert.equal(await page.locator('#msg-kind').count(), 0, 'a company only replies');
    await shot(page, 'desk-m3-request-company');

    // A "PDF" that is really an executable: refused, nothing recorded, still waiting on us.
    const before = (await timeline(page)).length;
    await page.fill('#msg-body', 'E2E 위장 파일');
    await page.setInputFiles('#msg-files', [{ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: EXE }]);
    await submitAndWait(page, '#send-message', /\?error=upload-unsupported/);
    assert.equal(await text(page, '#case-error'), KO['upload-unsupported']);
    assert.equal((await timeline(page)).length, before, 'nothing was added to the timeline');
    assert.equal(await attr(page, '#case-waiting', 'data-waiting'), 'company');
    await shot(page, 'desk-m3-upload-refused');

    // The real answer with a PDF: the desk has the ball again and the clock runs.
    const fileName = `요구공문-${stamp}.pdf`;
    await page.fill('#msg-body', 'E2E 답변: 요청하신 공문 사본을 첨부합니다.');
    await page.setInputFiles('#msg-files', [{ name: fileName, mimeType: 'application/pdf', buffer: PDF }]);
    await submitAndWait(page, '#send-message', /\?ok=case-flash-message$/);
    await flash(page, KO['case-flash-message']);
    assert.equal(await attr(page, '#case-waiting', 'data-waiting'), 'desk');
    assert.equal(await text(page, '#case-waiting'), KO['case-waiting-desk']);
    assert.notEqual(await attr(page, '#sla-state', 'data-sla'), 'paused', 'the clock runs again');
    assert.equal(await page.locator('#request-pending').count(), 0);
    const answer = page.locator('#case-timeline > li[data-kind="answer"]').last();
    assert.equal((await answer.locator('strong').textContent()).trim(), KO['case-ev-answer']);
    assert.equal((await answer.locator('a[href^="/attachments/"]').textContent()).trim(), fileName);
    await shot(page, 'desk-m3-answered');

    // The officer sees the answer and downloads the file.
    const officer = await signedIn('officer@demo.test');
    await officer.goto(url(kase.path()));
    assert.equal(await attr(officer, '#case-waiting', 'data-waiting'), 'desk');
    const link = officer.locator('#case-timeline > li[data-kind="answer"] a[href^="/attachments/"]').last();
    const href = await link.getAttribute('href');
    const res = await officer.request.get(url(href));
    assert.equal(res.status(), 200, `${href} answers 200`);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    assert.match(res.headers()['content-disposition'] || '', /^attachment;/);
    assert.equal((await res.body()).subarray(0, 8).toString('latin1'), '%PDF-1.4');
    const [dl] = await Promise.all([officer.waitForEvent('download'), link.click()]);
    assert.equal(dl.suggestedFilename(), fileName, 'the download keeps the Korean file name');
    assert.deepEqual(readFileSync(await dl.path()), PDF, 'the downloaded file is the uploaded one');
    await shot(officer, 'desk-m3-answer-officer');

    // An agency the case was never sent to (customs) sees neither the case nor the file; a
    // visitor is sent to sign in.
    const customs = await signedIn('customs@demo.test');
    assert.equal((await customs.goto(url(kase.path()))).status(), 404, 'another agency gets 404 for the case');
    assert.equal((await customs.request.get(url(href))).status(), 404, 'another agency gets 404 for the attachment');
    const anon = await newPage();
    const anonRes = await anon.request.get(url(href), { maxRedirects: 0 });
    assert.equal(anonRes.status(), 303, 'a visitor is redirected');
    assert.match(anonRes.headers().location || '', /^\/login\b/, 'to the sign-in page');
    kase.stage = 3;
  });

  // -------------------------------------------------------------------------------------------
  test('desk m4. MSS refers the case to KOTRA, KOTRA accepts; the company sees KOTRA (en)', async () => {
    needs(3, 'got the company answer');
    const officer = await signedIn('officer@demo.test');
    await officer.goto(url(kase.path()));
    await officer.selectOption('#to-agency', { label: KOTRA.ko });
    await officer.selectOption('#scope', 'whole');
    await officer.fill('#refer-note', 'E2E 이관: 수출 지원 절차는 KOTRA 소관입니다.');
    await submitAndWait(officer, '#refer-button', /\?ok=case-flash-referred$/);
    await flash(officer, KO['case-flash-referred']);
    const pending = officer.locator('#referrals li[data-status="pending"]');
    assert.equal(await pending.count(), 1, 'one pending referral');
    assert.match(await pending.textContent(), new RegExp(`${escapeRe(MSS.ko)} → ${escapeRe(KOTRA.ko)}`));
    const referral = await pending.getAttribute('data-referral');
    assert.equal(await officer.locator(`#accept-${referral}`).count(), 0, 'the referring agency cannot accept its own referral');
    await shot(officer, 'desk-m4-referred');

    // KOTRA finds it under "referred to us" and accepts.
    const kotra = await signedIn('kotra@demo.test');
    await kotra.goto(url('/officer/cases?view=referred'));
    assert.equal(await attr(kotra, '#queue-views a[aria-current="page"]', 'href'), '/officer/cases?view=referred');
    const row = kotra.locator(`#case-table tbody tr[data-case="${kase.id}"]`);
    if (!(await row.count())) {
      // On a reused database older referrals may push it past the first page: search for it.
      await kotra.fill('#q', kase.title);
      await Promise.all([kotra.waitForURL(/[?&]q=/), kotra.click('#queue-search')]);
      assert.equal(new URL(kotra.url()).searchParams.get('view'), 'referred', 'the search keeps the view');
    }
    await row.waitFor();
    await shot(kotra, 'desk-m4-kotra-referred');
    await Promise.all([kotra.waitForURL(new RegExp(`/cases/${kase.id}$`)), row.locator('th[scope=row] a').click()]);
    assert.equal(await kotra.locator('#move-form').count(), 0, 'before accepting, KOTRA does not hold the case');
    await submitAndWait(kotra, `#decide-${referral} #accept-${referral}`, /\?ok=case-flash-referral-decided$/);
    await flash(kotra, KO['case-flash-referral-decided']);
    assert.equal(await attr(kotra, `#referrals li[data-referral="${referral}"]`, 'data-status'), 'accepted');
    assert.equal(await text(kotra, '#case-holder'), KOTRA.ko, 'KOTRA holds the case now, nobody assigned yet');
    await kotra.locator('#move-form').waitFor();
    await shot(kotra, 'desk-m4-kotra-accepted');

    // MSS no longer holds it.
    await officer.goto(url(kase.path()));
    assert.equal(await text(officer, '#case-holder'), KOTRA.ko);
    assert.equal(await officer.locator('#move-form').count(), 0, 'MSS can no longer move the case');

    // The company, switching to English with the header link.
    const company = await signedIn('company@demo.test');
    await company.goto(url(kase.path()));
    await Promise.all([company.waitForURL((u) => !u.pathname.startsWith('/lang/')), company.click('#lang-switch')]);
    assert.equal(pathOf(company), kase.path(), 'the switch comes back to the case');
    assert.equal(await attr(company, 'html', 'lang'), 'en');
    assert.equal(await text(company, '#case-holder'), KOTRA.en, "the agency in charge is KOTRA's English name");
    assert.equal(await text(company, '#case-status'), EN['case-status-triaged']);
    const accepted = (await timeline(company)).find((e) => e.kind === 'referral_accepted');
    const expected = ftl(EN['case-ev-referral-accepted'], { agency: KOTRA.en, scope: EN['case-scope-whole'] });
    assert.equal(accepted?.text, expected, `the timeline says "${expected}"`);
    const all = (await timeline(company)).map((e) => e.all).join(' | ');
    assert.ok(!all.includes('E2E 이관'), 'the referral note between agencies is not shown to the company');
    await shot(company, 'desk-m4-company-en');
    await checkA11y(company, 'case page (en, company)');
    kase.stage = 4;
  });

  // -------------------------------------------------------------------------------------------
  test('desk m5. KOTRA resolves the case; the company sees it resolved and was notified (en)', async () => {
    needs(4, 'handed the case to KOTRA');
    const kotra = await signedIn('kotra@demo.test');
    await kotra.goto(url(kase.path()));
    for (const to of ['in_progress', 'resolved_full']) {
      await kotra.selectOption('#move-to', to);
      await kotra.fill('#move-note', `E2E ${to}: 두 기관이 한 번 제출로 정리하기로 했습니다.`);
      await submitAndWait(kotra, '#move-button', /\?ok=case-flash-moved$/);
      await flash(kotra, KO['case-flash-moved']);
      assert.equal(await attr(kotra, '#case-status', 'data-status'), to);
    }
    assert.ok(['met', 'met_late'].includes(await attr(kotra, '#sla-state', 'data-sla')), 'a resolved case has met its clock (or not)');
    assert.equal(await kotra.locator('#message-form').count(), 1);
    await shot(kotra, 'desk-m5-resolved-kotra');

    const company = await signedIn('company@demo.test', 'en');
    await company.goto(url(kase.path()));
    assert.equal(await attr(company, '#case-status', 'data-status'), 'resolved_full');
    assert.equal(await text(company, '#case-status'), EN['case-status-resolved_full']);
    const moves = (await timeline(company)).filter((e) => e.kind === 'status').map((e) => e.all);
    assert.ok(moves.some((m) => m.includes('E2E resolved_full')), `the resolution note is on the timeline: ${moves.join(' | ')}`);
    await shot(company, 'desk-m5-resolved-company-en');

    await company.goto(url('/notifications'));
    const items = await company.$$eval('#notifications li', (ls) => ls.map((l) => ({ text: l.querySelector('a')?.textContent.trim() ?? '', href: l.querySelector('a')?.getAttribute('href') })));
    for (const key of ['notification-case_request', 'notification-case_status', 'notification-case_holder']) {
      const want = ftl(EN[key], { arg: kase.title });
      const hit = items.find((i) => i.text === want);
      assert.ok(hit, `a notification says "${want}": ${items.map((i) => i.text).join(' | ')}`);
      assert.equal(hit.href, kase.path(), 'the notification links to the case');
    }
    const statusCount = items.filter((i) => i.text === ftl(EN['notification-case_status'], { arg: kase.title })).length;
    assert.equal(statusCount, 3, 'one status notification per officer move (triaged, in progress, resolved)');
    await shot(company, 'desk-m5-notifications-en');

    // Back to Korean, so the demo account keeps its language for later runs.
    await company.goto(url(kase.path()));
    await Promise.all([company.waitForURL((u) => !u.pathname.startsWith('/lang/')), company.click('#lang-switch')]);
    assert.equal(await attr(company, 'html', 'lang'), 'ko');
    assert.equal(await text(company, '#case-status'), KO['case-status-resolved_full']);
    kase.stage = 5;
  });

  // -------------------------------------------------------------------------------------------
  test('desk m6. KOTRA drafts a public summary, the admin approves, a visitor finds it', async () => {
    needs(5, 'resolved the case');
    const kotra = await signedIn('kotra@demo.test');
    await kotra.goto(url(kase.path()));
    await Promise.all([kotra.waitForURL(/\/officer\/kb\/\d+$/), kotra.click('#draft-kb')]);
    kb.id = Number(/\/officer\/kb\/(\d+)$/.exec(kotra.url())[1]);
    assert.equal(await attr(kotra, '#kb-status', 'data-status'), 'draft');
    assert.equal(await kotra.inputValue('#category'), 'domestic', 'the draft starts from the case category');
    assert.equal(await kotra.inputValue('#country'), 'KR');
    assert.match(await kotra.inputValue('#hs_codes'), /3304/);
    assert.equal(await kotra.inputValue('#title_ko'), '', 'the officer writes the text; nothing of the company is copied');
    assert.equal(await kotra.getAttribute(`a[href="${kase.path()}"]`, 'href'), kase.path(), 'the draft links to its case');

    await kotra.fill('#title_ko', kb.titleKo);
    await kotra.fill('#title_en', kb.titleEn);
    await kotra.fill('#summary_ko', kb.summaryKo);
    await kotra.fill('#summary_en', kb.summaryEn);
    await submitAndWait(kotra, '#kb-save', /\?ok=kb-flash-saved$/);
    await flash(kotra, KO['kb-flash-saved']);
    assert.equal(await kotra.inputValue('#title_en'), kb.titleEn);
    await shot(kotra, 'desk-m6-kb-draft');
    await checkA11y(kotra, 'knowledge-base editor (ko)');
    await submitAndWait(kotra, '#kb-submit', /\?ok=kb-flash-submitted$/);
    await flash(kotra, KO['kb-flash-submitted']);
    assert.equal(await attr(kotra, '#kb-status', 'data-status'), 'pending');
    assert.equal(await kotra.locator('#kb-form').count(), 0, 'a pending entry is read-only');
    assert.equal(await kotra.locator('#kb-approve').count(), 0, 'an officer cannot approve');
    // Not public yet.
    const early = await newPage();
    assert.equal((await early.goto(url(`/knowledge/${kb.id}`))).status(), 404, 'a pending entry is not public');

    // The platform administrator approves.
    const admin = await signedIn('admin@demo.test');
    await admin.goto(url('/officer/kb'));
    const pendingLink = admin.locator(`#kb-pending a[href="/officer/kb/${kb.id}"]`);
    assert.equal((await pendingLink.textContent()).trim(), kb.titleKo);
    await Promise.all([admin.waitForURL(new RegExp(`/officer/kb/${kb.id}$`)), pendingLink.click()]);
    await submitAndWait(admin, '#kb-approve', /\?ok=kb-flash-reviewed$/);
    await flash(admin, KO['kb-flash-reviewed']);
    assert.equal(await attr(admin, '#kb-status', 'data-status'), 'published');
    await shot(admin, 'desk-m6-kb-approved');

    // A visitor (English browser, not signed in) finds it by a word of its English title.
    const visitor = await newPage({ locale: 'en-US' });
    await visitor.goto(url('/knowledge'));
    assert.equal(await attr(visitor, 'html', 'lang'), 'en');
    assert.equal(await text(visitor, 'h1'), EN['kb-title']);
    await checkA11y(visitor, 'knowledge base (en, visitor)');
    await visitor.fill('#kb-q', kb.word.toLowerCase());
    await Promise.all([visitor.waitForURL(/[?&]q=/), visitor.click('#kb-search')]);
    const hits = await visitor.$$eval('#kb-results a', (as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
    assert.deepEqual(hits, [{ href: `/knowledge/${kb.id}`, text: kb.titleEn }], 'the search finds exactly the new entry, titled in English');
    assert.equal(await text(visitor, '#kb-total'), ftl(EN['queue-total'], { n: 1 }));
    await shot(visitor, 'desk-m6-knowledge-search-en');
    await checkA11y(visitor, 'knowledge search results (en, visitor)');
    await Promise.all([visitor.waitForURL(new RegExp(`/knowledge/${kb.id}$`)), visitor.click(`#kb-results a[href="/knowledge/${kb.id}"]`)]);
    assert.equal(await text(visitor, 'h1'), kb.titleEn);
    assert.equal(await text(visitor, '#kb-summary'), kb.summaryEn);
    const page = await visitor.textContent('main');
    assert.ok(!page.includes('예시기업') && !page.includes('Demo Co'), 'the public entry does not name the company');
    assert.ok(page.includes(KOTRA.en), 'the public entry names the agency that solved it');
    await shot(visitor, 'desk-m6-knowledge-entry-en');
    await Promise.all([visitor.waitForURL((u) => !u.pathname.startsWith('/lang/')), visitor.click('#lang-switch')]);
    assert.equal(await attr(visitor, 'html', 'lang'), 'ko');
    assert.equal(await text(visitor, 'h1'), kb.titleKo);
    assert.equal(await text(visitor, '#kb-summary'), kb.summaryKo);
    await checkA11y(visitor, 'knowledge entry (ko, visitor)');
  });

  test('guides n1. country guides: list, Indonesia, comparison, in Korean and English, axe', async () => {
    const page = await newPage();
    await page.goto(url('/guides'));
    assert.equal(await page.$$eval('#guides-table tbody tr', (rows) => rows.length), 10, 'ten markets');
    await checkA11y(page, 'country guides (ko)');
    await Promise.all([page.waitForURL(/\/guides\/ID$/), page.click('#guides-table a[href="/guides/ID"]')]);
    const bars = await page.$$eval('.gd-gantt-row', (rows) => rows.map((r) => r.getAttribute('data-step')));
    assert.ok(bars.includes('kr_outward_report'), 'the outward investment report at home is a step');
    assert.ok((await page.$$('.gd-gantt-row.gd-critical')).length > 0, 'a critical path is marked');
    await shot(page, 'guides-n1-indonesia-ko');
    await checkA11y(page, 'country guide Indonesia (ko)');
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/lang/')), page.click('#lang-switch')]);
    await page.goto(url('/guides/compare'));
    // KRDS draws its own check boxes: people click the labels.
    await page.click('label[for=c-ID]');
    await page.click('label[for=c-VN]');
    assert.ok(await page.isChecked('#c-ID') && await page.isChecked('#c-VN'));
    await Promise.all([page.waitForURL(/c=ID/), page.click('#compare-button')]);
    const shown = await page.$$eval('#guides-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-country')));
    assert.deepEqual(shown.sort(), ['ID', 'VN']);
    await checkA11y(page, 'country comparison (en)');
    await shot(page, 'guides-n1-compare-en');
  });
}
