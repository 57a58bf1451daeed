// A mailbox on the pages (issue 15; docs/mailboxes.md, "The pages and the CLI"): an admin
// opens it from the list, changes its pacing, SMTP and IMAP settings and its password in
// the form, sees the change on the page and in the API, sees a refused value explained
// next to its field with what was typed kept, and pauses and resumes it. Approvers and
// viewers read the settings (no form to submit) and their POSTs, CSRF token and all, are
// refused with 403 and change nothing. No password is ever sent to the browser.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  BASE, CONFIG, cli, csrfOf, lit, login, openBrowser, randomPassword, shot, sql, submit,
} from './lib.mjs';

const T = { timeout: 180000 };
const tag = crypto.randomBytes(4).toString('hex');
const browsers = [];
const d = {};

async function signedIn(who) {
  const b = await openBrowser();
  browsers.push(b);
  const resp = await login(b.page, d.people[who].email, d.people[who].password);
  assert.equal(resp.status(), 303, `login of ${who}`);
  return b;
}

/* row reads the mailbox's stored settings (the password only as whether it changed). */
function row() {
  const [r] = sql(`SELECT daily_cap, window_days, window_start, window_end, time_zone, warmup_start, warmup_step, min_gap_seconds, jitter_seconds, status, COALESCE(paused_reason, ''), smtp_host, smtp_port, HEX(password_box) FROM mailboxes WHERE public_id = ${lit(d.mailbox)}`);
  return {
    cap: Number(r[0]), days: Number(r[1]), start: Number(r[2]), end: Number(r[3]), tz: r[4],
    warmupStart: Number(r[5]), warmupStep: Number(r[6]), gap: Number(r[7]), jitter: Number(r[8]),
    status: Number(r[9]), reason: r[10], host: r[11], port: Number(r[12]), box: r[13],
  };
}

async function api(p) {
  const r = await fetch(`${BASE}${p}`, { headers: { Authorization: `Bearer ${d.key}` } });
  assert.equal(r.status, 200, p);
  return r.json();
}

before(() => {
  d.account = cli(['account', 'create', `Mailbox pages ${tag}`]);
  d.ws = cli(['workspace', 'create', d.account, `Client ${tag}`]);
  d.key = cli(['key', 'create', d.account, '--workspace', d.ws]);
  d.password = `smtp-secret-${tag}`;
  d.mailbox = cli(['mailbox', 'add', d.ws, '--from', `sam.${tag}@mailbox.test`, '--host', 'smtp.example.net',
    '--username', `sam.${tag}@mailbox.test`, '--password-stdin', '--from-name', 'Sam Sender',
    '--daily-cap', '50'], `${d.password}\n`).split(/\s+/)[0];
  d.people = {};
  for (const [who, role] of [['ada', 'admin'], ['abe', 'approver'], ['vic', 'viewer']]) {
    d.people[who] = { email: `${who}.${tag}@agency.example`, password: randomPassword() };
    cli(['user', 'add', d.people[who].email, '--workspace', d.ws, '--role', role, '--password-stdin'],
      `${d.people[who].password}\n`);
  }
  // the stack's Dovecot: IMAPS on the sink's port + 4, its users' password in ./var
  const conf = fs.readFileSync(CONFIG, 'utf8');
  d.imapsPort = Number(/\[smtp\][^[]*?\nport\s*=\s*(\d+)/.exec(conf)[1]) + 4;
  d.boxPassword = fs.readFileSync(path.join(path.dirname(path.dirname(CONFIG)), 'submission', 'password'), 'utf8').trim();
});

after(async () => {
  for (const b of browsers) await b.close();
});

test('an admin edits a mailbox in the form and sees the change; passwords never reach the page', T, async () => {
  assert.match(d.mailbox, /^mbx_/);
  const A = await signedIn('ada');
  await A.page.goto(`${BASE}/app/w/${d.ws}/mailboxes`);
  await Promise.all([A.page.waitForLoadState('load'), A.page.click(`a[href="/app/w/${d.ws}/mailboxes/${d.mailbox}"]`)]);
  assert.equal(new URL(A.page.url()).pathname, `/app/w/${d.ws}/mailboxes/${d.mailbox}`);
  assert.equal(await A.page.inputValue('input[name=daily_cap]'), '50');
  assert.equal(await A.page.inputValue('input[name=smtp_password]'), '');
  assert.ok(!(await A.page.content()).includes(d.password), 'the stored password is not on the page');
  const boxBefore = row().box;

  await A.page.fill('input[name=daily_cap]', '35');
  for (const day of ['sat', 'sun']) await A.page.uncheck(`input[name=day][value=${day}]`);
  await A.page.check('input[name=day][value=mon]');
  await A.page.fill('input[name=start]', '08:30');
  await A.page.fill('input[name=end]', '16:00');
  await A.page.fill('input[name=time_zone]', 'America/New_York');
  await A.page.fill('input[name=warmup_start]', '5');
  await A.page.fill('input[name=warmup_step]', '3');
  await A.page.fill('input[name=gap]', '120');
  await A.page.fill('input[name=jitter]', '30');
  await A.page.fill('input[name=smtp_host]', 'localhost');
  await A.page.fill('input[name=smtp_port]', '465');
  await A.page.selectOption('select[name=smtp_security]', 'tls');
  await A.page.fill('input[name=smtp_password]', `new-${d.password}`);
  await A.page.check('input[name=imap_on]');
  await A.page.fill('input[name=imap_host]', 'localhost');
  await A.page.fill('input[name=imap_port]', String(d.imapsPort));
  await A.page.selectOption('select[name=imap_security]', 'tls');
  await A.page.fill('input[name=imap_username]', 'box1@mailbox.test');
  await A.page.fill('input[name=imap_password]', d.boxPassword);
  await A.page.fill('textarea[name=imap_folders]', 'INBOX\nJunk\n');
  const resp = await submit(A.page, '#save');
  assert.equal(resp.status(), 303);
  assert.equal(await A.page.textContent('.notice'), 'Saved.');
  await shot(A.page, 'mailbox-saved');

  // the page shows what is stored now
  assert.equal(await A.page.inputValue('input[name=daily_cap]'), '35');
  assert.equal(await A.page.inputValue('input[name=time_zone]'), 'America/New_York');
  assert.equal(await A.page.isChecked('input[name=day][value=sat]'), false);
  assert.equal(await A.page.isChecked('input[name=day][value=mon]'), true);
  assert.equal(await A.page.inputValue('input[name=warmup_step]'), '3');
  assert.equal(await A.page.inputValue('textarea[name=imap_folders]'), 'INBOX\nJunk');
  assert.equal(await A.page.inputValue('input[name=smtp_password]'), '');
  assert.equal(await A.page.inputValue('input[name=imap_password]'), '');
  const html = await A.page.content();
  for (const secret of [d.password, `new-${d.password}`, d.boxPassword]) assert.ok(!html.includes(secret));
  // and so do the store and the API
  const r = row();
  assert.deepEqual([r.cap, r.start, r.end, r.tz, r.warmupStart, r.warmupStep, r.gap, r.jitter, r.host, r.port],
    [35, 510, 960, 'America/New_York', 5, 3, 120, 30, 'localhost', 465]);
  assert.notEqual(r.box, boxBefore, 'the new password was sealed');
  const m = await api(`/v1/mailboxes/${d.mailbox}`);
  assert.deepEqual(m.window, { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:30', end: '16:00', timeZone: 'America/New_York' });
  assert.equal(m.dailyCap, 35);
  assert.deepEqual(m.warmup, { start: 5, increment: 3 });
  assert.deepEqual(m.imap.folders, ['INBOX', 'Junk']);
  assert.equal(m.imap.username, 'box1@mailbox.test');
  assert.equal(m.imap.ownPassword, true);

  // saving again without touching IMAP keeps its sync where it is (no new settings version)
  const version = sql(`SELECT version FROM mailbox_imap i JOIN mailboxes b ON b.id = i.mailbox_id WHERE b.public_id = ${lit(d.mailbox)}`)[0][0];
  await A.page.fill('input[name=gap]', '90');
  assert.equal((await submit(A.page, '#save')).status(), 303);
  assert.equal(row().gap, 90);
  assert.equal(sql(`SELECT version FROM mailbox_imap i JOIN mailboxes b ON b.id = i.mailbox_id WHERE b.public_id = ${lit(d.mailbox)}`)[0][0], version);
});

test('a refused value is explained next to its field; what was typed stays; nothing is saved', T, async () => {
  const A = await signedIn('ada');
  await A.page.goto(`${BASE}/app/w/${d.ws}/mailboxes/${d.mailbox}`);
  const before = row();
  await A.page.fill('input[name=daily_cap]', '40');
  await A.page.fill('input[name=time_zone]', 'Mars/Olympus_Mons');
  let resp = await submit(A.page, '#save');
  assert.equal(resp.status(), 422);
  assert.match(await A.page.textContent('#form-error'), /^Time zone: /);
  assert.equal(await A.page.getAttribute('input[name=time_zone]', 'aria-invalid'), 'true');
  assert.equal(await A.page.inputValue('input[name=time_zone]'), 'Mars/Olympus_Mons');
  assert.equal(await A.page.inputValue('input[name=daily_cap]'), '40');
  await shot(A.page, 'mailbox-refused');
  assert.deepEqual(row(), before);

  await A.page.fill('input[name=time_zone]', 'Europe/Berlin');
  await A.page.fill('input[name=daily_cap]', 'lots');
  resp = await submit(A.page, '#save');
  assert.equal(resp.status(), 422);
  assert.equal(await A.page.textContent('#form-error'), 'Daily cap: A whole number, please.');
  assert.equal(await A.page.getAttribute('input[name=daily_cap]', 'aria-invalid'), 'true');
  for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) await A.page.uncheck(`input[name=day][value=${day}]`);
  await A.page.fill('input[name=daily_cap]', '40');
  resp = await submit(A.page, '#save');
  assert.equal(resp.status(), 422);
  assert.equal(await A.page.textContent('#form-error'), 'Days: Choose at least one day.');
  assert.deepEqual(row(), before);
});

test('an admin pauses and resumes the mailbox with a reason', T, async () => {
  const A = await signedIn('ada');
  await A.page.goto(`${BASE}/app/w/${d.ws}/mailboxes/${d.mailbox}`);
  await A.page.fill('input[name=reason]', 'client on holiday');
  assert.equal((await submit(A.page, '#pause')).status(), 303);
  assert.match(await A.page.textContent('.notice'), /^Paused/);
  assert.equal(row().status, 1);
  assert.equal(row().reason, `paused by ${d.people.ada.email}: client on holiday`);
  assert.equal((await api(`/v1/mailboxes/${d.mailbox}`)).status, 'paused');
  await shot(A.page, 'mailbox-paused');
  // a second pause from an old page is a 409 that changes nothing
  const token = await csrfOf(A.page);
  const again = await A.context.request.post(`${BASE}/app/w/${d.ws}/mailboxes/${d.mailbox}/pause`,
    { form: { csrf: token }, maxRedirects: 0, failOnStatusCode: false });
  assert.equal(again.status(), 409);
  assert.equal(row().reason, `paused by ${d.people.ada.email}: client on holiday`);
  assert.equal((await submit(A.page, '#resume')).status(), 303);
  assert.equal(row().status, 0);
  assert.equal((await api(`/v1/mailboxes/${d.mailbox}`)).status, 'active');
});

test('approvers and viewers read the settings but cannot change them (403, nothing changes)', T, async () => {
  for (const who of ['abe', 'vic']) {
    const B = await signedIn(who);
    const resp = await B.page.goto(`${BASE}/app/w/${d.ws}/mailboxes/${d.mailbox}`);
    assert.equal(resp.status(), 200);
    assert.equal(await B.page.inputValue('input[name=daily_cap]'), String(row().cap));
    assert.equal(await B.page.locator('#save').count(), 0);
    assert.equal(await B.page.locator('#pause').count(), 0);
    assert.equal(await B.page.locator('input[type=password]').count(), 0);
    assert.equal(await B.page.locator('fieldset:not([disabled])').count(), 0);
    if (who === 'vic') await shot(B.page, 'mailbox-viewer');
    const before = row();
    const token = await csrfOf(B.page);
    const post = (url, form) => B.context.request.post(url, { form, maxRedirects: 0, failOnStatusCode: false });
    const form = { csrf: token, daily_cap: '1', day: 'mon', start: '00:00', end: '24:00', time_zone: 'UTC',
      gap: '0', jitter: '0', smtp_host: 'evil.example', smtp_port: '25', smtp_security: 'starttls',
      smtp_username: 'x', smtp_password: 'stolen', from_address: `sam.${tag}@mailbox.test` };
    assert.equal((await post(`${BASE}/app/w/${d.ws}/mailboxes/${d.mailbox}`, form)).status(), 403);
    assert.equal((await post(`${BASE}/app/w/${d.ws}/mailboxes/${d.mailbox}/pause`, { csrf: token })).status(), 403);
    assert.deepEqual(row(), before);
  }
  // and an admin's form without the session's CSRF token is refused as well
  const A = await signedIn('ada');
  const r = await A.context.request.post(`${BASE}/app/w/${d.ws}/mailboxes/${d.mailbox}/pause`,
    { form: { csrf: 'forged' }, maxRedirects: 0, failOnStatusCode: false });
  assert.equal(r.status(), 403);
  assert.equal(row().status, 0);
});

test('values on the mailbox page are text, never markup; another workspace\'s mailbox is a 404', T, async () => {
  const A = await signedIn('ada');
  await A.page.goto(`${BASE}/app/w/${d.ws}/mailboxes/${d.mailbox}`);
  const hostile = 'Sam "><img src=x onerror=alert(1)><script>alert(2)</script>';
  await A.page.fill('input[name=from_name]', hostile);
  await A.page.fill('input[name=time_zone]', '<b>Europe/Berlin</b>');
  // refused (no such zone): the typed values come back as values, not as markup
  assert.equal((await submit(A.page, '#save')).status(), 422);
  assert.equal(await A.page.inputValue('input[name=from_name]'), hostile);
  assert.equal(await A.page.inputValue('input[name=time_zone]'), '<b>Europe/Berlin</b>');
  assert.equal(await A.page.locator('img[src=x]').count(), 0);
  assert.equal(await A.page.locator('form.settings b').count(), 0);
  // accepted: stored and shown as text on the page and in the list
  await A.page.fill('input[name=time_zone]', 'Europe/Berlin');
  const resp = await submit(A.page, '#save');
  if (resp.status() === 303) {
    assert.equal(await A.page.inputValue('input[name=from_name]'), hostile);
    await A.page.goto(`${BASE}/app/w/${d.ws}/mailboxes`);
    assert.ok((await A.page.textContent('table.list')).includes(hostile));
  } else {
    assert.equal(resp.status(), 422); // a From name the API refuses is refused here too
    assert.match(await A.page.textContent('#form-error'), /^From name: /);
  }
  assert.equal(await A.page.locator('img[src=x]').count(), 0);
  assert.deepEqual(A.dialogs, []);
  // a mailbox of another workspace of the same agency, where she has no role
  const ws2 = cli(['workspace', 'create', d.account, `Other ${tag}`]);
  const other = cli(['mailbox', 'add', ws2, '--from', `o.${tag}@mailbox.test`, '--host', 'smtp.example.net',
    '--username', 'o', '--password-stdin'], 'other-secret\n').split(/\s+/)[0];
  assert.equal((await A.page.goto(`${BASE}/app/w/${d.ws}/mailboxes/${other}`)).status(), 404);
  assert.equal((await A.page.goto(`${BASE}/app/w/${ws2}/mailboxes/${other}`)).status(), 404);
  await A.page.goto(`${BASE}/app/w/${d.ws}/mailboxes/${d.mailbox}`);
  const token = await csrfOf(A.page);
  const r = await A.context.request.post(`${BASE}/app/w/${d.ws}/mailboxes/${other}/pause`,
    { form: { csrf: token }, maxRedirects: 0, failOnStatusCode: false });
  assert.equal(r.status(), 404);
  assert.equal(sql(`SELECT status FROM mailboxes WHERE public_id = ${lit(other)}`)[0][0], '0');
});
