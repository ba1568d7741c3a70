// Navigator journeys: a company plans an Indonesian foreign-owned company (PT PMA) from the
// country guide, moves steps with real dates, uploads evidence, exports the plan as an .ics file
// that a real iCalendar parser (Python's `icalendar`) reads; a KOTRA officer drafts a new version
// of the playbook, a platform administrator publishes it, and the company sees which of its
// steps changed; the company books a vetted local expert on a step, the expert accepts and
// finishes the engagement, and only then can the company rate it. Names start with "plans" so that `E2E_ONLY='^plans'` selects them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

/// Reads the file with Python's icalendar and returns what it found, or throws with its error.
/// Reads a PDF with Python's pypdf and returns the text of all its pages.
function pdfText(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'gd-pdf-'));
  const file = join(dir, 'plan.pdf');
  writeFileSync(file, bytes);
  const script = 'import sys, pypdf\nprint("\\n".join(p.extract_text() for p in pypdf.PdfReader(sys.argv[1]).pages))';
  return execFileSync('python3', ['-c', script, file], { encoding: 'utf8' });
}

function parseIcs(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'gd-ics-'));
  const file = join(dir, 'plan.ics');
  writeFileSync(file, bytes);
  const script = [
    'import json, sys, icalendar',
    'cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())',
    'events = [c for c in cal.walk("VEVENT")]',
    'print(json.dumps({"name": str(cal.get("X-WR-CALNAME")), "events": [{"uid": str(e.get("UID")), "summary": str(e.get("SUMMARY")), "start": e.decoded("DTSTART").isoformat(), "end": e.decoded("DTEND").isoformat()} for e in events]}, ensure_ascii=False))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

export function navigatorJourneys(h) {
  const { test, newPage, url, pathOf, shot, login, checkA11y, KO, EN } = h;
  const plan = { id: null, steps: [], changedKey: 'deed_of_establishment' };

  async function signedIn(email, lang = 'ko') {
    const page = await newPage({ locale: lang === 'en' ? 'en-US' : 'ko-KR' });
    await page.context().addCookies([{ name: 'gd_lang', value: lang, url: url('/') }]);
    await login(page, email);
    return page;
  }
  const submitAndWait = async (page, selector, pattern) => {
    await Promise.all([page.waitForURL(pattern), page.click(selector)]);
    await page.waitForLoadState();
  };
  const stepStatus = (page, key) => page.getAttribute(`#step-${key}`, 'data-status');
  /// Each step's forms sit in a closed disclosure; people open it first.
  const openStep = async (page, key) => {
    if (!(await page.getAttribute(`#actions-${key}`, 'open') !== null)) await page.click(`#actions-${key} > summary`);
  };

  test('plans p1. a company plans a PT PMA in Indonesia, moves steps, uploads evidence, exports a calendar, axe', async () => {
    const page = await signedIn('company@demo.test');
    // From the country guide's button: the start form with the choice made.
    await page.goto(url('/guides/ID'));
    await submitAndWait(page, '#start-plan-foreign_owned_company', /\/plans\/new/);
    assert.equal(await page.inputValue('#playbook'), 'ID:foreign_owned_company');
    await checkA11y(page, 'plans list and start form (ko)');
    // A target in the past is explained on its field, and the choice is kept.
    await page.fill('#target_open_on', '2020-01-01');
    await page.click('#plan-start');
    await page.locator('#target_open_on-err').waitFor();
    assert.equal((await page.textContent('#target_open_on-err')).trim(), KO['plan-error-target-past']);
    assert.equal(await page.inputValue('#playbook'), 'ID:foreign_owned_company');
    const target = new Date(Date.now() + 400 * 86400e3).toISOString().slice(0, 10);
    await page.fill('#target_open_on', target);
    await submitAndWait(page, '#plan-start', /\/plans\/\d+/);
    plan.id = Number(pathOf(page).split('/')[2]);
    plan.steps = await page.$$eval('.gd-plan-step', (ls) => ls.map((l) => l.dataset.step));
    assert.ok(plan.steps.length >= 10 && plan.steps.includes(plan.changedKey), `the checklist has the playbook's steps: ${plan.steps}`);
    assert.ok(await page.isVisible('#plan-on-time'), 'a target 400 days out is reachable');
    assert.ok((await page.textContent('#plan-must-start')).trim().length > 0, 'the last day to start is shown');
    assert.ok((await page.$$('#plan-gantt .gd-gantt-row.gd-critical')).length > 0, 'the timeline marks the critical path');
    await checkA11y(page, 'plan page (ko)');
    await shot(page, 'plans-p1-new-plan-ko');

    // The first step is done (started five days ago); the second is under way.
    const [first, second] = plan.steps;
    await openStep(page, first);
    const fiveDaysAgo = new Date(Date.now() - 5 * 86400e3).toISOString().slice(0, 10);
    await page.selectOption(`#status-${first}`, 'done');
    await page.fill(`#started-${first}`, fiveDaysAgo);
    await page.fill(`#note-${first}`, '외국환은행 신고수리 완료 (E2E)');
    await submitAndWait(page, `#step-${first} .gd-step-form button[type=submit]`, /ok=plan-flash-saved/);
    assert.equal(await stepStatus(page, first), 'done');
    assert.ok((await page.textContent(`#step-${first} .gd-notes`)).includes('외국환은행 신고수리 완료'));
    // A blocked step without a reason: the error sits on the step, what was typed stays.
    await openStep(page, second);
    await page.selectOption(`#status-${second}`, 'blocked');
    await page.fill(`#note-${second}`, '아포스티유 대기');
    await page.click(`#step-${second} .gd-step-form button[type=submit]`);
    await page.locator(`#err-${second}-blocked_reason`).waitFor();
    assert.equal((await page.textContent(`#err-${second}-blocked_reason`)).trim(), KO['plan-error-reason']);
    assert.equal(await page.inputValue(`#note-${second}`), '아포스티유 대기');
    await openStep(page, second);
    await page.selectOption(`#status-${second}`, 'in_progress');
    await submitAndWait(page, `#step-${second} .gd-step-form button[type=submit]`, /ok=plan-flash-saved/);
    assert.equal(await stepStatus(page, second), 'in_progress');

    // Evidence for the first step: a PDF is kept and can be downloaded.
    await openStep(page, first);
    await page.setInputFiles(`#files-${first}`, [{ name: '해외직접투자-신고수리서.pdf', mimeType: 'application/pdf', buffer: PDF }]);
    await submitAndWait(page, `#step-${first} .gd-upload-form button[type=submit]`, /ok=plan-flash-uploaded/);
    const link = page.locator(`#step-${first} .gd-files a`);
    assert.equal((await link.textContent()).trim(), '해외직접투자-신고수리서.pdf');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), '해외직접투자-신고수리서.pdf');

    // The calendar: a real iCalendar parser reads one event per step, each a day long.
    const res = await page.request.get(url(`/plans/${plan.id}/calendar.ics`));
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-type'], /^text\/calendar/);
    const cal = parseIcs(await res.body());
    assert.equal(cal.events.length, plan.steps.length, 'one event per step');
    assert.ok(cal.events.every((e) => e.uid.startsWith(`plan-${plan.id}-`)), 'stable UIDs per plan and step');
    assert.ok(cal.events.every((e) => new Date(e.end) - new Date(e.start) === 86400e3), 'all-day events');
    assert.ok(cal.name.includes('PT PMA'), `the calendar is named after the plan: ${cal.name}`);
    const xlsx = await page.request.get(url(`/plans/${plan.id}/export.xlsx`));
    assert.equal((await xlsx.body()).subarray(0, 2).toString('latin1'), 'PK');
    // The PDF report reads back (pypdf) with the plan's title and the first step's title.
    const pdf = await page.request.get(url(`/plans/${plan.id}/export.pdf`));
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    const pdfBody = pdfText(await pdf.body()).replace(/\s+/g, ' ');
    const firstTitle = (await page.textContent(`#step-${first} h3`)).split('\n')[0].trim().split(/\s+/).slice(0, 2).join(' ');
    assert.ok(pdfBody.includes('PT PMA'), `the PDF names the plan: ${pdfBody.slice(0, 200)}`);
    assert.ok(pdfBody.includes(firstTitle), `the PDF lists the steps (${firstTitle})`);
    await shot(page, 'plans-p1-progress-ko');

    // The same plan in English.
    const en = await signedIn('company@demo.test', 'en');
    await en.goto(url(`/plans/${plan.id}`));
    assert.equal((await en.textContent('#plan-steps-h')).trim(), EN['plan-checklist']);
    await checkA11y(en, 'plan page (en)');
  });

  test('plans p2. a new playbook version is reviewed by someone else and the company sees what changed', async () => {
    assert.ok(plan.id, 'journey p1 created the plan');
    // KOTRA keeps the Indonesian playbooks: a new version from the published one.
    const kotra = await signedIn('kotra@demo.test');
    await kotra.goto(url('/officer/playbooks'));
    await checkA11y(kotra, 'playbooks (ko, KOTRA)');
    const row = kotra.locator('#playbooks-table tr', { hasText: 'PT PMA' });
    await Promise.all([kotra.waitForURL(/\/officer\/playbooks\/versions\/\d+/), row.locator('button[type=submit]').click()]);
    const edit = pathOf(kotra);
    // The notarial deed takes ten days longer than the shipped figure.
    const yaml = await kotra.inputValue('#body');
    const at = yaml.indexOf(`key: ${plan.changedKey}`);
    assert.ok(at > 0, 'the editor shows the step by its key');
    const daysAt = yaml.indexOf('days: ', at);
    const days = Number(/days: (\d+)/.exec(yaml.slice(daysAt))[1]);
    const edited = yaml.slice(0, daysAt) + yaml.slice(daysAt).replace(/days: \d+/, `days: ${days + 10}`);
    await kotra.fill('#body', edited);
    await kotra.fill('#change_note', '공증 소요 기간을 현지 사례에 맞게 늘렸습니다 (E2E)');
    await submitAndWait(kotra, '#version-save', /ok=playbook-flash-saved/);
    assert.ok(await kotra.isVisible('#checks-ok'), 'the new version passes the checks');
    assert.ok((await kotra.textContent('#version-diff')).includes(KO['plan-field-days']), 'the diff names the duration');
    await checkA11y(kotra, 'playbook version editor (ko)');
    await submitAndWait(kotra, '#version-submit', /ok=playbook-flash-submitted/);
    assert.ok(await kotra.isVisible('#own-review'), 'its author cannot publish it');
    await shot(kotra, 'plans-p2-version-in-review-ko');

    // A platform administrator publishes it.
    const admin = await signedIn('admin@demo.test');
    await admin.goto(url(edit));
    await submitAndWait(admin, '#version-publish', /ok=playbook-flash-published/);
    assert.equal(await admin.getAttribute('#version-status', 'data-status'), 'published');

    // The company's plan follows version 2 and says which step changed and how.
    const page = await signedIn('company@demo.test');
    await page.goto(url(`/plans/${plan.id}`));
    await page.locator('#plan-update').waitFor();
    assert.equal(await page.getAttribute('#plan-update', 'data-to-version'), '2');
    const changes = await page.$$eval('#plan-update-changes li', (ls) => ls.map((l) => ({ kind: l.dataset.kind, text: l.textContent })));
    assert.equal(changes.length, 1, JSON.stringify(changes));
    assert.equal(changes[0].kind, 'changed');
    assert.ok(changes[0].text.includes(KO['plan-field-days']));
    assert.ok((await page.textContent('#plan-update')).includes('공증 소요 기간을 현지 사례에 맞게 늘렸습니다'));
    await checkA11y(page, 'plan with a playbook change (ko)');
    await shot(page, 'plans-p2-company-sees-change-ko');
    await page.goto(url('/notifications'));
    assert.ok((await page.textContent('main')).includes('설립 계획의 안내서가 바뀌었습니다'));
    await page.goto(url(`/plans/${plan.id}`));
    await submitAndWait(page, '#plan-seen', /ok=plan-flash-seen/);
    assert.equal(await page.$('#plan-update'), null, 'read changes leave the banner');
  });

  test('plans p3. a company books a local expert on a step, the expert answers, and the company rates the finished engagement', async () => {
    assert.ok(plan.id, 'journey p1 created the plan');
    const step = plan.steps[2];
    const page = await signedIn('company@demo.test');
    await page.goto(url(`/plans/${plan.id}`));
    // From the step: the directory of verified experts in Indonesia, with the step carried along.
    await submitAndWait(page, `#book-${step}`, /\/experts\?/);
    const statuses = await page.$$eval('.expert-card', (cs) => cs.map((c) => c.dataset.status));
    assert.ok(statuses.length > 0 && statuses.every((s) => s === 'verified'), `only verified experts are listed: ${statuses}`);
    await checkA11y(page, 'experts directory (ko)');
    const card = page.locator('.expert-card', { hasText: 'Nusantara' });
    assert.equal((await card.locator('.expert-track-record').textContent()).trim(), KO['expert-track-record-none'].replace(/\{\s*\$arg\s*\}/, '0'));
    await submitAndWait(page, '.expert-card:has-text("Nusantara") h2 a', /\/experts\/\d+/);
    const expertPath = pathOf(page);
    assert.equal(await page.inputValue('#plan_step'), `${plan.id}:${step}`, 'the booking form has the step');
    // An empty message is explained on its field; then the request goes through.
    await page.click('#book-submit');
    await page.locator('#message-err').waitFor();
    await page.fill('#message', 'PT PMA 설립을 위한 사업분야(KBLI) 확인과 공증 절차 상담을 원합니다. (E2E)');
    await submitAndWait(page, '#book-submit', /\/my\/consultations/);
    const row = page.locator('#consultations tr[data-consultation]').first();
    const id = await row.getAttribute('data-consultation');
    assert.equal(await row.getAttribute('data-status'), 'requested');
    assert.equal(await page.$(`#rate-${id}`), null, 'nothing to rate before the engagement is done');
    const stepCell = row.locator(`[data-step="${step}"]`);
    assert.notEqual((await stepCell.textContent()).trim(), step, 'the step shows by its title, not its key');
    await checkA11y(page, 'my consultations (ko)');

    // The expert sees the request (and only requests addressed to it), accepts, then finishes.
    const expert = await signedIn('expert@demo.test');
    await expert.goto(url('/expert'));
    const mine = await expert.$$eval('#inbox tr[data-consultation]', (rs) => rs.map((r) => r.dataset.consultation));
    assert.ok(mine.includes(id), 'the request reached the expert');
    await checkA11y(expert, 'expert inbox (ko)');
    await expert.fill(`#note-${id}`, '다음 주 화상 상담 가능합니다.');
    await submitAndWait(expert, `#respond-${id} button[value=accepted]`, /\/expert\?saved=1/);
    assert.equal(await expert.getAttribute(`#inbox tr[data-consultation="${id}"]`, 'data-status'), 'accepted');
    await submitAndWait(expert, `#respond-${id} button[value=done]`, /\/expert\?saved=1/);
    assert.equal(await expert.getAttribute(`#inbox tr[data-consultation="${id}"]`, 'data-status'), 'done');
    await shot(expert, 'plans-p3-expert-inbox-ko');

    // Now the company rates it, and the directory shows the rating with the engagements behind it.
    await page.goto(url('/my/consultations'));
    await page.selectOption(`#rating-${id}`, '5');
    await page.fill(`#review-${id}`, '절차를 한국어로 친절하게 설명해 주었습니다.');
    await submitAndWait(page, `#rate-${id} button[type=submit]`, /saved=1/);
    assert.ok((await page.textContent(`tr[data-consultation="${id}"] .expert-rating`)).includes('5'));
    await page.goto(url(expertPath));
    const track = (await page.textContent('main')).replace(/\s+/g, ' ');
    assert.ok(track.includes('완료 1건'), 'the rating shows with its completed engagement');
    await page.goto(url(`/plans/${plan.id}`));
    assert.ok((await page.textContent('#plan-consultations')).includes(KO['consultation-status-done']));
    await shot(page, 'plans-p3-plan-with-consultation-ko');
  });
}
