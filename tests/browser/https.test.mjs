// The production-defaults stack (tests/prod) in Chromium: signing in over https gives the
// browser __Host- cookies that are Secure, and the pages work with them. Run by
// tests/prod/phase.sh (not by ./run): LINKCAMP_URL is https, LINKCAMP_TLS_DIR holds the
// run's CA and server certificate (tests/prod/make-ca). Chromium is made to trust exactly
// that server key (--ignore-certificate-errors-spki-list), never "any certificate".
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { chromium } from 'playwright-core';
import { BASE, LOGIN_COOKIE, SECURE, SESSION_COOKIE, login, setCookieLines } from './lib.mjs';

const TLS = process.env.LINKCAMP_TLS_DIR;
const T = { timeout: 120000 };

/* spkiOf: base64 SHA-256 of the server certificate's public key, as Chromium pins it. */
function spkiOf(pemFile) {
  const cert = new crypto.X509Certificate(fs.readFileSync(pemFile));
  const der = cert.publicKey.export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('base64');
}

async function browser(extraArgs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linkcamp-chromium-tls-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', headless: true, timeout: 60000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ...extraArgs],
  });
  context.setDefaultTimeout(20000);
  const page = context.pages()[0] ?? await context.newPage();
  return {
    context, page,
    async close() { await context.close().catch(() => {}); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

test('the stack under test is https with secure cookies on', () => {
  assert.ok(TLS, 'LINKCAMP_TLS_DIR is set');
  assert.match(BASE, /^https:\/\//);
  assert.equal(SECURE, true, 'secure_cookies is left at its default (yes)');
});

test('a browser that does not trust the run\'s certificate cannot open the pages', T, async () => {
  const b = await browser([]);
  try {
    await assert.rejects(b.page.goto(`${BASE}/app/login`), /ERR_CERT/);
  } finally { await b.close(); }
});

test('signing in over https sets __Host- Secure cookies and opens /app', T, async () => {
  const b = await browser([`--ignore-certificate-errors-spki-list=${spkiOf(path.join(TLS, 'server.pem'))}`]);
  try {
    const first = await b.page.goto(`${BASE}/app/login`);
    assert.equal(first.status(), 200);
    assert.equal((await first.securityDetails())?.subjectName, 'server', 'the page came over TLS with the run\'s certificate');
    const loginLine = (await setCookieLines(first)).find((l) => l.startsWith(`${LOGIN_COOKIE}=`));
    assert.ok(loginLine, 'the login form sets its __Host- token cookie');
    const resp = await login(b.page, process.env.LINKCAMP_APPROVER_EMAIL, process.env.LINKCAMP_APPROVER_PASSWORD);
    assert.equal(resp.status(), 303);
    const line = (await setCookieLines(resp)).find((l) => l.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(line, 'login sets the session cookie');
    assert.equal(SESSION_COOKIE, '__Host-linkcamp_session');
    const attrs = line.split(';').slice(1).map((a) => a.trim().toLowerCase());
    for (const a of ['secure', 'httponly', 'path=/']) assert.ok(attrs.includes(a), `${a} in ${line}`);
    assert.ok(!attrs.some((a) => a.startsWith('domain')), `no Domain in ${line}`);
    // the browser kept it (a __Host- cookie is dropped unless it is Secure over https)
    const cookie = (await b.context.cookies(BASE)).find((c) => c.name === SESSION_COOKIE);
    assert.ok(cookie, 'the browser stored the session cookie');
    assert.equal(cookie.secure, true);
    assert.equal(cookie.httpOnly, true);
    assert.equal(new URL(b.page.url()).pathname.startsWith('/app'), true, b.page.url());
    assert.notEqual(new URL(b.page.url()).pathname, '/app/login');
    assert.match(await b.page.content(), /approver@demo\.example/);
  } finally { await b.close(); }
});
