// The approval pages (SPEC §8) in headless Chromium: people sign in, decide messages,
// pause and resume a campaign; then the SMTP sink and the database must show exactly the
// approved mails, with the edits. Also the defences: CSRF tokens, Origin, SameSite
// cookies, final decisions (409), races between approvers, escaping, headers, throttling,
// session ends. Test data comes from the linkcamp CLI; every test plays its people in
// browsers of their own.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, test } from 'node:test';

import {
  BASE, LOGIN_COOKIE, SECURE, SESSION_COOKIE, cli, csrfOf, lit, login, openBrowser,
  randomPassword, setCookieLines, sessionId, sha256hex, shot, sinkMessages, sql, submit, waitFor,
} from './lib.mjs';

const T = { timeout: 180000 };
const tag = crypto.randomBytes(4).toString('hex');
const browsers = [];
const d = {}; // the test data

async function browser() {
  const b = await openBrowser();
  browsers.push(b);
  return b;
}

function campaignJson(name, subject, body, prospects) {
  return JSON.stringify({
    type: 'serp', name, targetUrl: 'https://example.com/guide', sender: 'sam@agency.example',
    template: { subject, body }, prospects,
  });
}

/* messages maps recipient address -> outbound message public id for a campaign. */
function messages(campaign) {
  const rows = sql(`SELECT m.to_email, m.public_id FROM outbound_messages m JOIN campaigns c ON c.id = m.campaign_id WHERE c.public_id = ${lit(campaign)}`);
  return Object.fromEntries(rows);
}

function msgState(id) {
  const [[status, decisions]] = sql(`SELECT m.status, (SELECT COUNT(*) FROM approval_decisions a WHERE a.message_id = m.id) FROM outbound_messages m WHERE m.public_id = ${lit(id)}`);
  return { status: Number(status), decisions: Number(decisions) };
}

function campaignStatus(id) {
  return Number(sql(`SELECT status FROM campaigns WHERE public_id = ${lit(id)}`)[0][0]);
}

const MS = { awaiting: 0, scheduled: 1, sending: 2, sent: 3, rejected: 6, held: 8, deferred: 9 };

/* signedIn opens a browser for a person and signs in. */
async function signedIn(email, password) {
  const b = await browser();
  const resp = await login(b.page, email, password);
  assert.equal(resp.status(), 303, `login of ${email}`);
  return b;
}

/* checkPageHeaders asserts the security headers of SPEC §8 on an HTML answer. */
function checkPageHeaders(resp, what) {
  const h = resp.headers();
  assert.match(h['content-security-policy'] ?? '', /default-src 'none'/, `${what}: CSP`);
  assert.match(h['content-security-policy'] ?? '', /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.doesNotMatch(h['content-security-policy'] ?? '', /unsafe-inline|unsafe-eval/, `${what}: CSP`);
  assert.equal(h['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.equal(h['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
  assert.equal(h['cache-control'], 'no-store', `${what}: Cache-Control`);
}

function checkCookieLine(line, name, what) {
  assert.ok(line.startsWith(`${name}=`), `${what}: cookie name ${name} in ${line}`);
  const attrs = line.split(';').map((s) => s.trim().toLowerCase());
  assert.ok(attrs.includes('path=/'), `${what}: Path=/ in ${line}`);
  assert.ok(attrs.includes('httponly'), `${what}: HttpOnly in ${line}`);
  assert.ok(attrs.includes('samesite=lax'), `${what}: SameSite=Lax in ${line}`);
  assert.equal(attrs.includes('secure'), SECURE, `${what}: Secure iff secure_cookies in ${line}`);
  assert.ok(!attrs.some((a) => a.startsWith('domain=')), `${what}: no Domain in ${line}`);
}

before(() => {
  d.account = cli(['account', 'create', `Browser tests ${tag}`]);
  d.wsName = `Client <b>${tag}</b>`;
  d.ws = cli(['workspace', 'create', d.account, d.wsName]);
  d.ws2 = cli(['workspace', 'create', d.account, `Second client ${tag}`]);
  cli(['credits', 'grant', d.ws, '1000']);
  d.people = {
    alice: { email: `alice.${tag}@agency.example`, password: randomPassword() },
    bert: { email: `bert.${tag}@agency.example`, password: randomPassword() },
    vera: { email: `vera.${tag}@agency.example`, password: randomPassword() },
    tina: { email: `tina.${tag}@agency.example`, password: randomPassword() },
  };
  const add = (who, ws, role) => cli(['user', 'add', d.people[who].email, '--workspace', ws,
    '--role', role, '--password-stdin'], `${d.people[who].password}\n`);
  d.people.alice.id = add('alice', d.ws, 'approver');
  add('alice', d.ws2, 'viewer');
  add('bert', d.ws, 'approver');
  add('vera', d.ws, 'viewer');
  add('tina', d.ws, 'approver');

  d.main = cli(['campaign', 'create', d.ws], campaignJson(`Guest posts ${tag}`,
    'Guide for {{contactFirstName}}', 'Hi {{contactFirstName}},\n\nWould you link to our guide?\n\nSam', [
      { domain: 'one.example', contactName: 'Ann One', contactEmail: `ann.${tag}@one.example` },
      { domain: 'two.example', contactName: 'Ben Two', contactEmail: `ben.${tag}@two.example` },
      { domain: 'three.example', contactName: 'Cat Three', contactEmail: `cat.${tag}@three.example` },
      { domain: 'four.example', contactName: 'Dan Four', contactEmail: `dan.${tag}@four.example` },
    ]));
  d.mainMsgs = messages(d.main);
  d.xssName = `<i>XSS</i> campaign ${tag}`;
  d.xss = cli(['campaign', 'create', d.ws], campaignJson(d.xssName,
    'Hello "><img src=x onerror=alert(1)>', 'Body with <script>alert(3)</script> inside', [
      { domain: 'xss.example', contactName: '<script>alert(1)</script>', contactEmail: `xss.${tag}@xss.example` },
    ]));
  d.xssMsg = Object.values(messages(d.xss))[0];
  const race = [];
  for (let i = 1; i <= 10; i++) race.push({ domain: `race${i}.example`, contactName: `Racer ${i}`, contactEmail: `racer${i}.${tag}@race${i}.example` });
  d.race = cli(['campaign', 'create', d.ws], campaignJson(`Races ${tag}`, 'Quick note {{contactFirstName}}', 'Hello', race));
  d.raceMsgs = messages(d.race);
  d.racer = (i) => d.raceMsgs[`racer${i}.${tag}@race${i}.example`];
});

after(async () => {
  for (const b of browsers) await b.close();
});

test('pages answer with the security headers; cookies are HttpOnly, SameSite=Lax, Path=/, Secure as configured; the session id changes at login', T, async () => {
  const b = await browser();
  const r = await b.page.goto(`${BASE}/app/login`);
  assert.equal(r.status(), 200);
  checkPageHeaders(r, 'login page');
  const loginCookie = (await setCookieLines(r)).find((l) => l.startsWith(`${LOGIN_COOKIE}=`));
  assert.ok(loginCookie, 'the login form sets its token cookie');
  checkCookieLine(loginCookie, LOGIN_COOKIE, 'login cookie');
  await shot(b.page, '01-login');

  // a session id the visitor already had (planted, say) is never kept
  const planted = crypto.randomBytes(32).toString('base64url');
  await b.context.addCookies([{ name: SESSION_COOKIE, value: planted, url: `${BASE}/`, secure: SECURE, httpOnly: true, sameSite: 'Lax' }]);
  const resp = await login(b.page, d.people.alice.email, d.people.alice.password);
  assert.equal(resp.status(), 303);
  const lines = await setCookieLines(resp);
  const sessionLine = lines.find((l) => l.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(sessionLine, 'login sets the session cookie');
  checkCookieLine(sessionLine, SESSION_COOKIE, 'session cookie');
  assert.match(sessionLine, /max-age=43200/i);
  const sid = await sessionId(b.context);
  assert.ok(sid && sid !== planted, 'a new session id after login');
  const cookie = (await b.context.cookies(BASE)).find((c) => c.name === SESSION_COOKIE);
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Lax');
  assert.equal(cookie.secure, SECURE);
  assert.equal(cookie.path, '/');
  // only hashes are stored
  assert.equal(sql(`SELECT COUNT(*) FROM sessions WHERE id_hash = UNHEX('${sha256hex(sid)}')`)[0][0], '1');
  assert.equal(sql(`SELECT COUNT(*) FROM sessions WHERE id_hash = UNHEX('${sha256hex(planted)}')`)[0][0], '0');
  assert.equal(sql(`SELECT COUNT(*) FROM users WHERE email = ${lit(d.people.alice.email)} AND password_hash LIKE '$argon2id$%'`)[0][0], '1');
  // the workspace chooser (alice has two workspaces), with the headers too
  assert.equal(new URL(b.page.url()).pathname, '/app/');
  const chooser = await b.page.goto(`${BASE}/app/`);
  checkPageHeaders(chooser, 'workspace chooser');
  await shot(b.page, '02-workspaces');
});

test('approve one message, edit and approve another, reject a third, pause and resume the campaign: exactly the approved mails go out, with the edits', T, async () => {
  const { page } = await signedIn(d.people.alice.email, d.people.alice.password);
  const ann = d.mainMsgs[`ann.${tag}@one.example`];
  const ben = d.mainMsgs[`ben.${tag}@two.example`];
  const cat = d.mainMsgs[`cat.${tag}@three.example`];
  const dan = d.mainMsgs[`dan.${tag}@four.example`];

  // chooser -> workspace -> queue, filtered by campaign and kind
  await Promise.all([page.waitForURL(/\/approvals/), page.getByRole('link', { name: d.wsName }).click()]);
  await page.selectOption('select[name=campaign]', d.main);
  await page.selectOption('select[name=kind]', 'draft');
  await Promise.all([page.waitForURL(/campaign=/), page.click('form.filters button[type=submit]')]);
  assert.equal(await page.locator('table.list tbody tr').count(), 4);
  checkPageHeaders(await page.reload(), 'queue');
  await shot(page, '03-queue');

  // approve as written
  await Promise.all([page.waitForURL(new RegExp(ann)), page.click(`a[href$="/approvals/${ann}"]`)]);
  await page.getByText(`ann.${tag}@one.example`).first().waitFor();
  await shot(page, '04-message');
  let r = await submit(page, '#approve');
  assert.equal(r.status(), 303);
  await page.getByText(/approved by/).waitFor();
  assert.equal(await page.locator('#approve').count(), 0, 'no approve button once decided');

  // edit and approve
  const editedSubject = `Our guide, edited ${tag}`;
  const editedBody = `Hi Ben,\n\nEdited by the approver ${tag}: would you link to our guide?\n\nSam`;
  await page.goto(`${BASE}/app/w/${d.ws}/approvals/${ben}`);
  await page.click('summary:has-text("Edit and approve")');
  await page.fill('input[name=subject]', editedSubject);
  await page.fill('textarea[name=body]', editedBody);
  await shot(page, '05-message-edit');
  r = await submit(page, '#edit-approve');
  assert.equal(r.status(), 303);
  await page.getByText('subject edited').waitFor();

  // reject with a reason
  await page.goto(`${BASE}/app/w/${d.ws}/approvals/${cat}`);
  await page.click('summary:has-text("Reject")');
  await page.fill('textarea[name=reason]', `Not a fit ${tag}`);
  r = await submit(page, '#reject');
  assert.equal(r.status(), 303);
  await page.locator('ul.decisions q', { hasText: `Not a fit ${tag}` }).waitFor();
  await page.locator('.status-rejected').first().waitFor();

  // campaigns, pause and resume with reasons
  await page.goto(`${BASE}/app/w/${d.ws}/campaigns`);
  await shot(page, '06-campaigns');
  await Promise.all([page.waitForURL(new RegExp(`campaigns/${d.main}`)), page.click(`a[href$="/campaigns/${d.main}"]`)]);
  assert.equal(await page.locator('figure.chart svg').count(), 1, 'a timeline chart');
  await page.fill('form[action$="/pause"] input[name=reason]', `Holiday break ${tag}`);
  r = await submit(page, '#pause');
  assert.equal(r.status(), 303);
  await page.getByText(`Holiday break ${tag}`).first().waitFor();
  assert.equal(campaignStatus(d.main), 2, 'paused');
  await shot(page, '07-campaign-paused');
  await page.fill('form[action$="/resume"] input[name=reason]', `Back again ${tag}`);
  r = await submit(page, '#resume');
  assert.equal(r.status(), 303);
  await page.locator('#pause').waitFor();
  assert.equal(campaignStatus(d.main), 1, 'active again');
  await shot(page, '08-campaign');

  // the activity log
  await page.goto(`${BASE}/app/w/${d.ws}/activity`);
  const rows = page.locator('table.list tbody tr');
  assert.ok(await rows.count() >= 3);
  await page.locator('table.list q', { hasText: `Not a fit ${tag}` }).waitFor();
  await shot(page, '09-activity');

  // the SMTP sink: ann as written, ben as edited; never cat; dan still waits
  const mainRcpts = ['ann', 'ben', 'cat', 'dan'].map((n, i) => `${n}.${tag}@${['one', 'two', 'three', 'four'][i]}.example`);
  const ours = (m) => m.rcpt.some((a) => mainRcpts.includes(a));
  const got = await waitFor(() => { const m = sinkMessages().filter(ours); return m.length >= 2 && m; }, 30000);
  assert.ok(got, 'two mails reached the sink');
  await new Promise((res) => setTimeout(res, 2000)); // nothing else follows
  const mails = sinkMessages().filter(ours);
  assert.deepEqual(mails.map((m) => m.rcpt.join(',')).sort(), [`ann.${tag}@one.example`, `ben.${tag}@two.example`]);
  const annMail = mails.find((m) => m.rcpt[0] === `ann.${tag}@one.example`);
  const benMail = mails.find((m) => m.rcpt[0] === `ben.${tag}@two.example`);
  assert.equal(annMail.headers.subject, 'Guide for Ann');
  assert.match(annMail.body, /Hi Ann,\n\nWould you link to our guide\?/);
  assert.equal(benMail.headers.subject, editedSubject);
  assert.ok(benMail.body.includes(editedBody), `edited body in the mail: ${benMail.body}`);

  // the database agrees
  assert.equal(msgState(ann).status, MS.sent);
  assert.equal(msgState(ben).status, MS.sent);
  assert.equal(msgState(cat).status, MS.rejected);
  assert.deepEqual(msgState(dan), { status: MS.awaiting, decisions: 0 });
  const decisions = sql(`SELECT m.public_id, a.decision, a.decided_by, a.edited_subject IS NOT NULL, a.edited_subject = ${lit(editedSubject)}, a.edited_body = ${lit(editedBody)}, COALESCE(a.reason, '') FROM approval_decisions a JOIN outbound_messages m ON m.id = a.message_id JOIN campaigns c ON c.id = m.campaign_id WHERE c.public_id = ${lit(d.main)} ORDER BY a.id`);
  const by = `user:${d.people.alice.id}`;
  assert.deepEqual(decisions, [
    [ann, '0', by, '0', 'NULL', 'NULL', ''],
    [ben, '0', by, '1', '1', '1', ''],
    [cat, '1', by, '0', 'NULL', 'NULL', `Not a fit ${tag}`],
  ]);
  const [[subject, body]] = sql(`SELECT subject = ${lit(editedSubject)}, body = ${lit(editedBody)} FROM outbound_messages WHERE public_id = ${lit(ben)}`);
  assert.deepEqual([subject, body], ['1', '1']);
  const events = sql(`SELECT e.type, e.detail FROM events e JOIN campaigns c ON c.id = e.campaign_id WHERE c.public_id = ${lit(d.main)} AND e.type IN ('campaign_paused', 'campaign_resumed') ORDER BY e.id`);
  assert.deepEqual(events, [['campaign_paused', `Holiday break ${tag}`], ['campaign_resumed', `Back again ${tag}`]]);
});

test('every value is escaped: a <script> prospect and an "><img onerror> subject render as text and run nothing', T, async () => {
  const b = await signedIn(d.people.alice.email, d.people.alice.password);
  const { page } = b;
  await page.goto(`${BASE}/app/w/${d.ws}/approvals?campaign=${d.xss}`);
  await page.locator('.name', { hasText: '<script>alert(1)</script>' }).first().waitFor();
  await page.getByText('Hello "><img src=x onerror=alert(1)>').first().waitFor();
  assert.equal(await page.locator('main img, main script, main i').count(), 0);
  assert.equal(await page.locator('header b').count(), 0, 'the workspace name is text');
  assert.ok(await page.locator('header .ws', { hasText: d.wsName }).isVisible());

  await page.goto(`${BASE}/app/w/${d.ws}/approvals/${d.xssMsg}`);
  assert.ok(await page.locator('h1.subject', { hasText: 'Hello "><img src=x onerror=alert(1)>' }).isVisible());
  assert.ok(await page.locator('.name', { hasText: '<script>alert(1)</script>' }).first().isVisible());
  assert.ok(await page.locator('pre.body', { hasText: 'Body with <script>alert(3)</script> inside' }).isVisible());
  assert.equal(await page.locator('main img, main script').count(), 0);
  await page.click('summary:has-text("Edit and approve")');
  assert.equal(await page.inputValue('input[name=subject]'), 'Hello "><img src=x onerror=alert(1)>');
  assert.equal(await page.inputValue('textarea[name=body]'), 'Body with <script>alert(3)</script> inside');
  await shot(page, '10-escaped-message');

  await page.click('summary:has-text("Reject")');
  await page.fill('textarea[name=reason]', '<script>alert(2)</script>');
  assert.equal((await submit(page, '#reject')).status(), 303);
  await page.goto(`${BASE}/app/w/${d.ws}/activity`);
  await page.getByText('<script>alert(2)</script>').first().waitFor();
  await page.goto(`${BASE}/app/w/${d.ws}/campaigns`);
  await page.getByText(d.xssName).first().waitFor();
  await page.goto(`${BASE}/app/w/${d.ws}/campaigns/${d.xss}`);
  await page.locator('h1', { hasText: d.xssName }).waitFor();
  assert.equal(await page.locator('main img, main script, main i').count(), 0);
  assert.deepEqual(b.dialogs, [], 'no script ran');
});

test('forged POSTs change nothing (403): no CSRF token, another session\'s token, another Origin, a cross-site form', T, async () => {
  const A = await signedIn(d.people.alice.email, d.people.alice.password);
  const B = await signedIn(d.people.bert.email, d.people.bert.password);
  const id = d.racer(1);
  const approve = `${BASE}/app/w/${d.ws}/approvals/${id}/approve`;
  await A.page.goto(`${BASE}/app/w/${d.ws}/approvals/${id}`);
  await B.page.goto(`${BASE}/app/w/${d.ws}/approvals/${id}`);
  const tokenA = await csrfOf(A.page);
  const tokenB = await csrfOf(B.page);
  assert.notEqual(tokenA, tokenB);
  const before = msgState(id);
  assert.deepEqual(before, { status: MS.awaiting, decisions: 0 });

  const post = (ctx, url, form, headers) => ctx.request.post(url, { form, headers, maxRedirects: 0, failOnStatusCode: false });
  let r = await post(A.context, approve, {});
  assert.equal(r.status(), 403, 'no token');
  r = await post(A.context, approve, { csrf: tokenB });
  assert.equal(r.status(), 403, 'another session\'s token');
  r = await post(A.context, approve, { csrf: `${tokenA.slice(0, -1)}${tokenA.endsWith('A') ? 'B' : 'A'}` });
  assert.equal(r.status(), 403, 'a wrong token');
  r = await post(A.context, approve, { csrf: tokenA }, { Origin: 'http://evil.example' });
  assert.equal(r.status(), 403, 'another Origin');
  checkPageHeaders(r, '403 page');
  r = await post(A.context, `${BASE}/app/w/${d.ws}/approvals`, { csrf: tokenB, id, action: 'approve' });
  assert.equal(r.status(), 403, 'bulk with another session\'s token');
  r = await post(A.context, `${BASE}/app/w/${d.ws}/campaigns/${d.race}/pause`, { reason: 'x' });
  assert.equal(r.status(), 403, 'pause without token');
  r = await post(A.context, `${BASE}/app/logout`, {});
  assert.equal(r.status(), 403, 'logout without token');
  r = await post(A.context, `${BASE}/app/w/${d.ws}/approvals/${id}/reject`, { csrf: tokenA, reason: 'x' }, { Origin: `${BASE}.evil.example` });
  assert.equal(r.status(), 403, 'an origin that only starts like ours');

  // a real cross-site page submitting a form with a stolen token
  await A.page.route('http://evil.test/**', (route) => route.fulfill({
    status: 200, contentType: 'text/html',
    body: `<!doctype html><form method="post" action="${approve}"><input type="hidden" name="csrf" value="${tokenA}"><button id="go">Win a prize</button></form>`,
  }));
  await A.page.goto('http://evil.test/');
  const [resp] = await Promise.all([
    A.page.waitForResponse((x) => x.url() === approve),
    A.page.click('#go'),
  ]);
  assert.equal(resp.status(), 403, 'cross-site form');
  await A.page.waitForLoadState('load');
  await shot(A.page, '11-forbidden');

  assert.deepEqual(msgState(id), before, 'nothing changed');
  assert.equal(campaignStatus(d.race), 1);
  // still signed in, and the real form works
  await A.page.goto(`${BASE}/app/w/${d.ws}/approvals/${id}`);
  assert.ok(await A.page.locator('#approve').isVisible());
});

test('a viewer reads but cannot decide or pause (403)', T, async () => {
  const V = await signedIn(d.people.vera.email, d.people.vera.password);
  const id = d.racer(1);
  await V.page.goto(`${BASE}/app/w/${d.ws}/approvals`);
  assert.equal(await V.page.locator('input[type=checkbox][name=id]').count(), 0);
  await V.page.goto(`${BASE}/app/w/${d.ws}/approvals/${id}`);
  assert.equal(await V.page.locator('#approve').count(), 0);
  const token = await csrfOf(V.page);
  const post = (url, form) => V.context.request.post(url, { form, maxRedirects: 0, failOnStatusCode: false });
  assert.equal((await post(`${BASE}/app/w/${d.ws}/approvals/${id}/approve`, { csrf: token })).status(), 403);
  assert.equal((await post(`${BASE}/app/w/${d.ws}/approvals`, { csrf: token, id, action: 'approve' })).status(), 403);
  assert.equal((await post(`${BASE}/app/w/${d.ws}/campaigns/${d.race}/pause`, { csrf: token, reason: 'x' })).status(), 403);
  // and a workspace she has no role in does not exist for her
  assert.equal((await V.page.goto(`${BASE}/app/w/${d.ws2}/approvals`)).status(), 404);
  assert.deepEqual(msgState(id), { status: MS.awaiting, decisions: 0 });
  assert.equal(campaignStatus(d.race), 1);
});

test('a second decision on the same message is a 409 page and changes nothing', T, async () => {
  const A = await signedIn(d.people.alice.email, d.people.alice.password);
  const id = d.racer(2);
  const first = A.page;
  const second = await A.context.newPage();
  await first.goto(`${BASE}/app/w/${d.ws}/approvals/${id}`);
  await second.goto(`${BASE}/app/w/${d.ws}/approvals/${id}`);
  assert.equal((await submit(first, '#approve')).status(), 303);
  const r = await submit(second, '#approve');
  assert.equal(r.status(), 409);
  await second.getByRole('heading', { name: 'Already decided' }).waitFor();
  checkPageHeaders(r, '409 page');
  await shot(second, '12-already-decided');
  // rejecting afterwards is refused as well
  await second.goto(`${BASE}/app/w/${d.ws}/approvals/${id}`);
  const token = await csrfOf(second);
  const rr = await A.context.request.post(`${BASE}/app/w/${d.ws}/approvals/${id}/reject`, { form: { csrf: token, reason: 'late' }, maxRedirects: 0, failOnStatusCode: false });
  assert.equal(rr.status(), 409);
  const s = msgState(id);
  assert.equal(s.decisions, 1);
  assert.notEqual(s.status, MS.rejected);
});

test('two approvers clicking at once make exactly one decision', T, async () => {
  const A = await signedIn(d.people.alice.email, d.people.alice.password);
  const B = await signedIn(d.people.bert.email, d.people.bert.password);
  for (const [i, actionB] of [[3, '#approve'], [4, '#approve'], [5, 'reject'], [6, '#approve']]) {
    const id = d.racer(i);
    await A.page.goto(`${BASE}/app/w/${d.ws}/approvals/${id}`);
    await B.page.goto(`${BASE}/app/w/${d.ws}/approvals/${id}`);
    let selB = actionB;
    if (actionB === 'reject') {
      await B.page.click('summary:has-text("Reject")');
      await B.page.fill('textarea[name=reason]', 'race');
      selB = '#reject';
    }
    const [ra, rb] = await Promise.all([submit(A.page, '#approve'), submit(B.page, selB)]);
    const statuses = [ra.status(), rb.status()].sort();
    assert.deepEqual(statuses, [303, 409], `message ${i}: one decision, one 409`);
    assert.equal(msgState(id).decisions, 1, `message ${i}: exactly one decision recorded`);
  }
});

test('the queue approves several at once, and rejects several with one reason', T, async () => {
  const A = await signedIn(d.people.alice.email, d.people.alice.password);
  const { page } = A;
  await page.goto(`${BASE}/app/w/${d.ws}/approvals?campaign=${d.race}`);
  await page.check(`input[name=id][value="${d.racer(7)}"]`);
  await page.check(`input[name=id][value="${d.racer(8)}"]`);
  let r = await submit(page, 'button[name=action][value=approve]');
  assert.equal(r.status(), 200);
  await page.getByRole('heading', { name: '2 approved' }).waitFor();
  await shot(page, '13-bulk-approved');
  await page.goto(`${BASE}/app/w/${d.ws}/approvals?campaign=${d.race}`);
  await page.check(`input[name=id][value="${d.racer(9)}"]`);
  await page.check(`input[name=id][value="${d.racer(10)}"]`);
  await page.fill('fieldset.bulk input[name=reason]', `Bulk no ${tag}`);
  r = await submit(page, 'button[name=action][value=reject]');
  assert.equal(r.status(), 200);
  await page.getByRole('heading', { name: '2 rejected' }).waitFor();
  for (const i of [7, 8]) assert.notEqual(msgState(d.racer(i)).status, MS.rejected);
  for (const i of [9, 10]) assert.deepEqual(msgState(d.racer(i)), { status: MS.rejected, decisions: 1 });
  assert.equal(sql(`SELECT COUNT(*) FROM approval_decisions a JOIN outbound_messages m ON m.id = a.message_id WHERE m.public_id IN (${lit(d.racer(9))}, ${lit(d.racer(10))}) AND a.reason = ${lit(`Bulk no ${tag}`)}`)[0][0], '2');
});

test('a GET to any page changes nothing', T, async () => {
  const link = cli(['user', 'add', `gina.${tag}@agency.example`, '--workspace', d.ws, '--role', 'viewer', '--link']);
  assert.match(link, /\/app\/set-password\/[A-Za-z0-9_-]{43}$/);
  // let the worker finish what earlier tests approved: snapshots must not race it
  await waitFor(() => sql(`SELECT COUNT(*) FROM outbound_messages WHERE workspace_id IN (SELECT id FROM workspaces WHERE public_id IN (${lit(d.ws)}, ${lit(d.ws2)})) AND status IN (1, 2, 9)`)[0][0] === '0', 30000);
  const wsIds = `(SELECT id FROM workspaces WHERE public_id IN (${lit(d.ws)}, ${lit(d.ws2)}))`;
  const snapshot = () => sql(`SELECT
    (SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, status, subject, MD5(body), updated_at, COALESCE(decided_at, '')) ORDER BY id)) FROM outbound_messages WHERE workspace_id IN ${wsIds}),
    (SELECT CONCAT(COUNT(*), '/', COALESCE(MAX(id), 0)) FROM approval_decisions WHERE workspace_id IN ${wsIds}),
    (SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, status, updated_at, COALESCE(paused_at, '')) ORDER BY id)) FROM campaigns WHERE workspace_id IN ${wsIds}),
    (SELECT COUNT(*) FROM events WHERE workspace_id IN ${wsIds}),
    (SELECT COUNT(*) FROM credit_ledger WHERE workspace_id IN ${wsIds}),
    (SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', id, credits_balance, credits_reserved) ORDER BY id)) FROM workspaces WHERE id IN ${wsIds}),
    (SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', u.id, COALESCE(u.password_hash, ''), u.updated_at) ORDER BY u.id)) FROM users u),
    (SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', user_id, workspace_id, role) ORDER BY user_id, workspace_id)) FROM user_workspaces),
    (SELECT MD5(GROUP_CONCAT(CONCAT_WS('|', HEX(token_hash), COALESCE(used_at, '')) ORDER BY token_hash)) FROM user_tokens),
    (SELECT COUNT(*) FROM login_failures)`)[0];
  const before = snapshot();

  const A = await signedIn(d.people.alice.email, d.people.alice.password);
  const decided = d.mainMsgs[`ann.${tag}@one.example`];
  const pending = d.racer(1);
  const pages = [
    ['/app', 200], ['/app/', 200], ['/app/?choose=1', 200], [`/app/login?next=/app/w/${d.ws}/activity`, 200],
    [new URL(link).pathname, 200], ['/app/set-password/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 404],
    [`/app/w/${d.ws}/approvals`, 200], [`/app/w/${d.ws}/approvals?campaign=${d.main}&kind=draft`, 200],
    [`/app/w/${d.ws}/approvals?kind=nonsense`, 400], [`/app/w/${d.ws}/approvals/${pending}`, 200],
    [`/app/w/${d.ws}/approvals/${decided}`, 200], [`/app/w/${d.ws}/approvals/out_AAAAAAAAAAAAAAAAAAAAAA`, 404],
    [`/app/w/${d.ws}/campaigns`, 200], [`/app/w/${d.ws}/campaigns/${d.main}`, 200], [`/app/w/${d.ws}/campaigns/${d.race}`, 200],
    [`/app/w/${d.ws}/activity`, 200], [`/app/w/${d.ws2}/approvals`, 200], [`/app/w/ws_AAAAAAAAAAAAAAAAAAAAAA/approvals`, 404],
  ];
  for (const [p, status] of pages) {
    const r = await A.page.goto(`${BASE}${p}`);
    assert.equal(r.status(), status, `GET ${p}`);
    checkPageHeaders(r, `GET ${p}`);
  }
  // the state-changing URLs answer GET with 405 and do nothing
  for (const p of ['/app/logout', `/app/w/${d.ws}/approvals/${pending}/approve`, `/app/w/${d.ws}/approvals/${pending}/reject`,
    `/app/w/${d.ws}/campaigns/${d.race}/pause`, `/app/w/${d.ws}/campaigns/${d.race}/resume`]) {
    const r = await A.context.request.get(`${BASE}${p}`, { maxRedirects: 0, failOnStatusCode: false });
    assert.equal(r.status(), 405, `GET ${p}`);
  }
  // and visitors without a session are sent to the login page, coming back after
  const anon = await browser();
  const r = await anon.page.goto(`${BASE}/app/w/${d.ws}/approvals/${pending}`);
  assert.equal(new URL(anon.page.url()).pathname, '/app/login');
  checkPageHeaders(r, 'login redirect');
  assert.deepEqual(snapshot(), before, 'the database is as it was');
  d.link = link;
  // an approval link followed while signed out: sign in, and land on the message
  await anon.page.fill('input[name=email]', d.people.bert.email);
  await anon.page.fill('input[name=password]', d.people.bert.password);
  await Promise.all([anon.page.waitForURL(new RegExp(`/approvals/${pending}$`)), anon.page.click('form[action="/app/login"] button')]);
  assert.ok(await anon.page.locator('#approve').isVisible());
});

test('a set-password link works once', T, async () => {
  const b = await browser();
  const { page } = b;
  await page.goto(d.link);
  await page.getByText(`gina.${tag}@agency.example`).waitFor();
  await shot(page, '14-set-password');
  await page.fill('input[name=password]', 'first-choice-1');
  await page.fill('input[name=password2]', 'different-2');
  assert.equal((await submit(page, 'form button[type=submit]')).status(), 422);
  const pw = randomPassword();
  await page.fill('input[name=password]', pw);
  await page.fill('input[name=password2]', pw);
  assert.equal((await submit(page, 'form button[type=submit]')).status(), 200);
  await page.getByText('Password set').first().waitFor();
  assert.equal((await page.goto(d.link)).status(), 404, 'used up');
  const resp = await login(page, `gina.${tag}@agency.example`, pw);
  assert.equal(resp.status(), 303);
  assert.match(page.url(), new RegExp(`/app/w/${d.ws}/approvals`), 'one workspace: straight to its queue');
});

test('signing out ends the session; so do the idle and the absolute timeouts', T, async () => {
  const b = await signedIn(d.people.alice.email, d.people.alice.password);
  const { page, context } = b;
  const sid = await sessionId(context);
  await page.goto(`${BASE}/app/w/${d.ws}/approvals`);
  const r = await submit(page, 'form[action="/app/logout"] button');
  assert.equal(r.status(), 303);
  assert.equal(new URL(page.url()).pathname, '/app/login');
  assert.equal(await sessionId(context), undefined, 'the cookie is gone');
  assert.equal(sql(`SELECT COUNT(*) FROM sessions WHERE id_hash = UNHEX('${sha256hex(sid)}')`)[0][0], '0');
  // the old id is worthless
  await context.addCookies([{ name: SESSION_COOKIE, value: sid, url: `${BASE}/`, secure: SECURE, httpOnly: true, sameSite: 'Lax' }]);
  await page.goto(`${BASE}/app/w/${d.ws}/approvals`);
  assert.equal(new URL(page.url()).pathname, '/app/login');

  // idle: 31 minutes without a request (tests write to the database only to make time pass)
  await login(page, d.people.alice.email, d.people.alice.password);
  let s = await sessionId(context);
  sql(`UPDATE sessions SET last_seen_at = UTC_TIMESTAMP(3) - INTERVAL 31 MINUTE WHERE id_hash = UNHEX('${sha256hex(s)}')`);
  await page.goto(`${BASE}/app/w/${d.ws}/activity`);
  assert.equal(new URL(page.url()).pathname, '/app/login', 'idle timeout');
  assert.equal(new URL(page.url()).searchParams.get('next'), `/app/w/${d.ws}/activity`);

  // absolute: signed in 12 hours ago, however busy since
  await login(page, d.people.alice.email, d.people.alice.password);
  s = await sessionId(context);
  sql(`UPDATE sessions SET created_at = UTC_TIMESTAMP(3) - INTERVAL 12 HOUR - INTERVAL 1 SECOND WHERE id_hash = UNHEX('${sha256hex(s)}')`);
  await page.goto(`${BASE}/app/w/${d.ws}/approvals`);
  assert.equal(new URL(page.url()).pathname, '/app/login', 'absolute timeout');
});

test('wrong passwords: 401 each, then 429 with Retry-After for that address', T, async () => {
  const b = await browser();
  const { page } = b;
  for (let i = 0; i < 5; i++) {
    const r = await login(page, d.people.tina.email, 'wrong-password');
    assert.equal(r.status(), 401, `attempt ${i + 1}`);
    await page.getByText('Wrong e-mail address or password.').waitFor();
  }
  await shot(page, '15-wrong-password');
  // now even the right password waits
  const r = await login(page, d.people.tina.email, d.people.tina.password);
  assert.equal(r.status(), 429);
  const retry = Number(r.headers()['retry-after']);
  assert.ok(retry > 0 && retry <= 15 * 60, `Retry-After ${r.headers()['retry-after']}`);
  checkPageHeaders(r, '429 page');
  await page.getByText('Too many attempts').waitFor();
  await shot(page, '16-too-many-attempts');
  // an unknown address fails like a wrong password
  assert.equal((await login(page, `nobody.${tag}@agency.example`, 'whatever-1')).status(), 401);
  // nothing of the attempts is kept in clear: they are counted under a hash of the account
  // and the client address (docs/signin.md)
  assert.equal(sql(`SELECT COUNT(*) FROM login_failures WHERE subject_hash = UNHEX(SHA2(${lit(d.people.tina.email)}, 256))`)[0][0], '0');
  assert.equal(sql(`SELECT COUNT(*) FROM login_failures f JOIN users u ON u.email = ${lit(d.people.tina.email)} WHERE f.scope = 2 AND f.subject_hash = UNHEX(SHA2(CONCAT('u:', u.id, CHAR(0), '127.0.0.1'), 256))`)[0][0], '5');
});

test('in the end every approved message went out exactly once and nothing else did', T, async () => {
  const ws = `(SELECT id FROM workspaces WHERE public_id = ${lit(d.ws)})`;
  await waitFor(() => sql(`SELECT COUNT(*) FROM outbound_messages WHERE workspace_id = ${ws} AND status IN (1, 2, 8, 9)`)[0][0] === '0', 30000);
  const approved = sql(`SELECT m.to_email FROM outbound_messages m WHERE m.workspace_id = ${ws} AND EXISTS (SELECT 1 FROM approval_decisions a WHERE a.message_id = m.id AND a.decision = 0)`).map((r) => r[0]).sort();
  const sent = sql(`SELECT to_email FROM outbound_messages WHERE workspace_id = ${ws} AND status = 3`).map((r) => r[0]).sort();
  assert.deepEqual(sent, approved);
  // approvers are also emailed a link to each waiting item: that is not outreach
  const all = sinkMessages();
  const isNotice = (m) => (m.headers.subject ?? '').startsWith('Approval needed:') ||
    /=\?UTF-8\?[BQ]\?QXBwcm92YWwgbmVlZGVk|=\?UTF-8\?Q\?Approval_needed/i.test(m.headers.subject ?? '');
  const mails = all.filter((m) => !isNotice(m)).flatMap((m) => m.rcpt)
    .filter((a) => a.includes(`.${tag}@`)).sort();
  assert.deepEqual(mails, approved);
  const notices = all.filter(isNotice).flatMap((m) => m.rcpt).filter((a) => a.includes(`.${tag}@`));
  assert.ok(notices.length > 0, 'approvers were not notified');
  // ann, ben; racers 2, 3, 4, 6, 7, 8; racer 5 when the approver won its race
  assert.ok(approved.length === 8 || approved.length === 9, `approved: ${approved}`);
});
