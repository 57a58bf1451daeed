// The client's report (issue 17 item 6, docs/report.md) in headless Chromium: the signed-in
// page of a workspace and of a campaign, its CSV, a share link made with the page's form
// and opened by someone without an account, printing to PDF, and a revoked and an expired
// link that show nothing. The placements get their verdicts from the stack's real checker,
// fetching pages this test serves on 127.0.0.1 under *.localhost names (the test stack
// allows private addresses and plain http, as for test_link_verdicts.py).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';

import {
  BASE, SHOTS, cli, lit, login, openBrowser, randomPassword, shot, sql, submit, waitFor,
} from './lib.mjs';

const T = { timeout: 240000 };
const tag = crypto.randomBytes(4).toString('hex');
const TARGET = 'https://target.example/guide';
const EVIL = '=HYPERLINK("http://evil.example","x")';
const browsers = [];
const d = {};
let server;
const pages = new Map(); // path -> [status, html]

async function browser() {
  const b = await openBrowser();
  browsers.push(b);
  return b;
}

async function api(method, p, body) {
  const r = await fetch(`${BASE}${p}`, {
    method,
    headers: { Authorization: `Bearer ${d.key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

function html(links) {
  return `<html><head><title>Post</title></head><body><article><p>Some words about tools and guides for readers. ${links} and more text after the link.</p></article></body></html>`;
}

/* pdfPages counts the pages of a PDF by its page objects. */
function pdfPages(buf) {
  return (buf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
}

before(async () => {
  server = http.createServer((req, res) => {
    const [status, body] = pages.get(req.url) ?? [404, 'not here'];
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;

  d.account = cli(['account', 'create', `Report tests ${tag}`]);
  d.ws = cli(['workspace', 'create', d.account, `Acme client ${tag}`]);
  d.ws2 = cli(['workspace', 'create', d.account, `Other client ${tag}`]);
  d.key = cli(['key', 'create', d.account, '--workspace', d.ws]);
  cli(['credits', 'grant', d.ws, '100']);
  d.people = {
    alice: { email: `alice.${tag}@agency.example`, password: randomPassword() },
    vera: { email: `vera.${tag}@agency.example`, password: randomPassword() },
  };
  const add = (who, ws, role) => cli(['user', 'add', d.people[who].email, '--workspace', ws,
    '--role', role, '--password-stdin'], `${d.people[who].password}\n`);
  add('alice', d.ws, 'approver');
  add('alice', d.ws2, 'approver');
  add('vera', d.ws, 'viewer');

  const hosts = ['live', 'issues', 'missing', 'busy'].map((k) => `${k}${tag}.localhost`);
  const prospects = hosts.map((h, i) => ({ domain: h, contactName: `Pat ${i}`, contactEmail: `pat${i}@${h}` }));
  d.campaign = cli(['campaign', 'create', d.ws], JSON.stringify({
    type: 'serp', name: `Guest posts ${tag}`, targetUrl: TARGET, sender: 'sam@agency.example',
    template: { subject: 'Our guide', body: 'Hello {{contactFirstName}}' }, prospects,
  }));
  d.empty = cli(['campaign', 'create', d.ws2], JSON.stringify({
    type: 'serp', name: `Nothing yet ${tag}`, targetUrl: TARGET, sender: 'sam@agency.example',
    template: { subject: '', body: '' }, prospects: [],
  }));
  const rels = (await api('GET', `/v1/link-building/crm/relationship?campaignId=${d.campaign}&limit=50`)).json.data;
  const relOf = (h) => rels.find((r) => r.domain === h).id;
  const bodies = {
    live: [200, html(`<a href="${TARGET}">the guide</a>`)],
    issues: [200, html(`<a rel="nofollow" href="${TARGET}">${EVIL}</a>`)],
    missing: [200, html('<a href="https://other.example/">other</a>')],
    busy: [503, 'busy'],
  };
  d.urls = {};
  d.placements = [];
  for (const [i, k] of Object.keys(bodies).entries()) {
    // a long path: the printed page must wrap it, not cut it
    const p = `/blog/2026/12/a-rather-long-article-about-useful-tools-for-everyone-${k}-${tag}`;
    pages.set(p, bodies[k]);
    d.urls[k] = `http://${hosts[i]}:${port}${p}`;
    const extra = k === 'live' ? { guaranteeUntil: '2027-06-01T00:00:00Z' } : {};
    const r = await api('POST', `/v1/link-building/relationship/${relOf(hosts[i])}/placement`, { linkUrl: d.urls[k], ...extra });
    assert.equal(r.status, 202, JSON.stringify(r.json));
    d.placements.push([relOf(hosts[i]), r.json.id]);
  }
  // every placement judged by the checker
  const judged = await waitFor(async () => {
    for (const [rid, pid] of d.placements) {
      const l = (await api('GET', `/v1/link-building/relationship/${rid}/placement`)).json.data;
      if (!l.find((p) => p.id === pid)?.verdict) return false;
    }
    return true;
  }, 180000, 500);
  assert.ok(judged, 'the checker judged every placement');
});

after(async () => {
  for (const b of browsers) await b.close();
  await new Promise((r) => server.close(r));
});

test('the signed-in report shows the funnel and every placement with its verdict, anchor, rel and guarantee; its CSV is formula-safe', T, async () => {
  const b = await browser();
  assert.equal((await login(b.page, d.people.alice.email, d.people.alice.password)).status(), 303);
  const r = await b.page.goto(`${BASE}/app/w/${d.ws}/report`);
  assert.equal(r.status(), 200);
  await shot(b.page, 'report-01-workspace');
  const rows = b.page.locator('table.placements tbody tr');
  assert.equal(await rows.count(), 4);
  const text = await b.page.locator('table.placements').innerText();
  for (const u of Object.values(d.urls)) assert.ok(text.includes(u), u);
  for (const v of ['Live', 'Live, with issues', 'Missing', 'Unverifiable']) assert.ok(text.includes(v), v);
  assert.ok(text.includes('the guide') && text.includes(EVIL) && text.includes('nofollow'));
  assert.ok(text.includes('2027-06-01'), 'the guarantee');
  assert.match(await b.page.locator('ul.funnel').innerText(), /1\s+campaigns/);
  // the nav leads here, and the campaign page links its own report
  assert.equal(await b.page.locator('header.top nav a[href$="/report"]').count(), 1);

  // the CSV, as the signed-in browser downloads it
  const csv = await b.page.request.get(`${BASE}/app/w/${d.ws}/report/export`);
  assert.equal(csv.status(), 200);
  assert.equal(csv.headers()['content-type'], 'text/csv; charset=utf-8');
  const body = (await csv.body()).toString('utf8');
  assert.ok(body.startsWith('\ufeffcampaign_id,campaign,'));
  assert.equal(body.trimEnd().split('\r\n').length, 5);
  assert.ok(body.includes(`"'${EVIL.replace(/"/g, '""')}"`), 'the formula is quoted and prefixed');

  // the campaign's report from the campaign page
  await b.page.goto(`${BASE}/app/w/${d.ws}/campaigns/${d.campaign}`);
  await Promise.all([b.page.waitForLoadState('load'), b.page.click('#campaign-report')]);
  assert.equal(new URL(b.page.url()).pathname, `/app/w/${d.ws}/campaigns/${d.campaign}/report`);
  assert.equal(await b.page.locator('table.placements tbody tr').count(), 4);
  await shot(b.page, 'report-02-campaign');

  // an empty workspace says so
  await b.page.goto(`${BASE}/app/w/${d.ws2}/report`);
  assert.equal(await b.page.locator('#no-links').count(), 1);
  await shot(b.page, 'report-03-empty');
});

test('the report prints to PDF without navigation or buttons, rows whole', T, async () => {
  const b = await browser();
  await login(b.page, d.people.alice.email, d.people.alice.password);
  await b.page.goto(`${BASE}/app/w/${d.ws}/report`);
  await b.page.emulateMedia({ media: 'print' });
  await shot(b.page, 'report-04-print');
  for (const sel of ['header.top', '#csv', '#share-form', 'button']) {
    const shown = await b.page.locator(sel).evaluateAll((els) => els.some((e) => getComputedStyle(e).display !== 'none'));
    assert.equal(shown, false, `${sel} is hidden in print`);
  }
  const tr = await b.page.locator('table.placements tbody tr').first().evaluate((e) => getComputedStyle(e).breakInside);
  assert.equal(tr, 'avoid');
  const pdf = await b.page.pdf({ format: 'A4', printBackground: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.writeFileSync(path.join(SHOTS, 'report-workspace.pdf'), pdf);
  assert.ok(pdf.subarray(0, 5).toString() === '%PDF-', 'a PDF');
  assert.ok(pdfPages(pdf) >= 1, 'the PDF has pages');
});

test('a viewer reads the report but cannot share it', T, async () => {
  const b = await browser();
  await login(b.page, d.people.vera.email, d.people.vera.password);
  await b.page.goto(`${BASE}/app/w/${d.ws}/report`);
  assert.equal(await b.page.locator('table.placements tbody tr').count(), 4);
  assert.equal(await b.page.locator('#share-form').count(), 0);
  // a forged form POST is refused
  const token = await b.page.locator('input[name=csrf]').first().inputValue();
  const r = await b.page.request.post(`${BASE}/app/w/${d.ws}/report/shares`, { form: { csrf: token, days: '30' } });
  assert.equal(r.status(), 403);
  assert.equal(sql(`SELECT COUNT(*) FROM report_shares s JOIN workspaces w ON w.id = s.workspace_id WHERE w.public_id = ${lit(d.ws)}`)[0][0], '0');
});

test('a share link made on the page shows the report to someone without an account, read-only; revoked, it shows nothing', T, async () => {
  const b = await browser();
  await login(b.page, d.people.alice.email, d.people.alice.password);
  await b.page.goto(`${BASE}/app/w/${d.ws}/report`);
  await b.page.fill('#share-form input[name=days]', '7');
  await b.page.fill('#share-form input[name=label]', 'Acme <b>monthly</b>');
  const resp = await submit(b.page, '#share');
  assert.equal(resp.status(), 200);
  const url = (await b.page.locator('#new-link .share-url').innerText()).trim();
  assert.match(url, /\/r\/rsh_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  await shot(b.page, 'report-05-share-made');
  assert.equal(await b.page.locator('table.shares tbody tr').count(), 1);
  assert.ok((await b.page.locator('table.shares').innerText()).includes('Acme <b>monthly</b>'), 'escaped');

  // someone else, in a browser of their own, without an account
  const guest = await browser();
  const g = await guest.page.goto(url);
  assert.equal(g.status(), 200);
  const h = g.headers();
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.match(h['x-robots-tag'], /noindex/);
  assert.equal(h['cache-control'], 'no-store');
  assert.equal(await guest.page.locator('meta[name=robots][content*=noindex]').count(), 1);
  assert.equal(await guest.page.locator('table.placements tbody tr').count(), 4);
  assert.equal(await guest.page.locator('header.top, nav, form, a[href^="/app"]').count(), 0, 'no way into the app');
  await shot(guest.page, 'report-06-shared');
  const csv = await guest.page.request.get(`${url}/export`);
  assert.equal(csv.status(), 200);
  assert.equal((await csv.body()).toString('utf8').trimEnd().split('\r\n').length, 5);
  await guest.page.emulateMedia({ media: 'print' });
  const pdf = await guest.page.pdf({ format: 'A4' });
  fs.writeFileSync(path.join(SHOTS, 'report-shared.pdf'), pdf);
  assert.ok(pdfPages(pdf) >= 1);

  // revoked with the page's button
  await b.page.goto(`${BASE}/app/w/${d.ws}/report`);
  const rv = await submit(b.page, 'table.shares button.revoke');
  assert.equal(rv.status(), 303);
  assert.ok((await b.page.locator('table.shares').innerText()).includes('revoked'));
  const gone = await guest.page.goto(url);
  assert.equal(gone.status(), 404);
  const goneText = await guest.page.locator('body').innerText();
  assert.ok(!goneText.includes(d.urls.live) && !goneText.includes('the guide'), 'nothing of the report');
  assert.equal(await guest.page.locator('table').count(), 0);
  await shot(guest.page, 'report-07-revoked');
});

test('an expired share link shows nothing, exactly like a revoked one', T, async () => {
  const r = await api('POST', '/v1/link-building/report/shares', { campaignId: d.campaign, expiresInDays: 1 });
  assert.equal(r.status, 201);
  const guest = await browser();
  assert.equal((await guest.page.goto(r.json.url)).status(), 200);
  await shot(guest.page, 'report-08-campaign-shared');
  // time passes: the link's end moves into the past
  sql(`UPDATE report_shares SET expires_at = DATE_SUB(UTC_TIMESTAMP(3), INTERVAL 1 MINUTE) WHERE public_id = ${lit(r.json.id)}`);
  const gone = await guest.page.goto(r.json.url);
  assert.equal(gone.status(), 404);
  const text = await guest.page.locator('body').innerText();
  assert.ok(!text.includes(d.urls.live));
  assert.equal(await guest.page.locator('table').count(), 0);
  await shot(guest.page, 'report-09-expired');
  const listed = (await api('GET', '/v1/link-building/report/shares')).json.data;
  assert.equal(listed.find((x) => x.id === r.json.id).status, 'expired');
});
