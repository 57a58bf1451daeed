// Helpers of the browser tests: the environment scripts/dev exports, the linkcamp CLI
// (test data is made with the operator's own tool), the database (read through the
// mariadb CLI; written only to make time pass), the SMTP sink's maildir and Chromium.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (tests/browser/run documents the environment)`);
  return v;
}

export const BASE = need('LINKCAMP_URL').replace(/\/+$/, '');
export const CONFIG = need('LINKCAMP_CONFIG');
export const MAILDIR = need('LINKCAMP_MAILDIR');
export const BIN = need('LINKCAMP_BIN');
export const SHOTS = path.join(here, 'screenshots');

/* configValue reads one key of the INI configuration (environment overrides win, as in
 * the application). */
export function configValue(section, key) {
  const env = process.env[`LINKCAMP_${key.toUpperCase()}`];
  if (env !== undefined) return env;
  let current = '';
  for (const raw of fs.readFileSync(CONFIG, 'utf8').split('\n')) {
    const line = raw.trim();
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) { current = sec[1]; continue; }
    const kv = /^([^=;#]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && current === section && kv[1] === key) return kv[2];
  }
  return undefined;
}

const secureSetting = configValue('app', 'secure_cookies');
export const SECURE = !['no', 'false', '0'].includes(secureSetting ?? 'yes');
export const SESSION_COOKIE = SECURE ? '__Host-linkcamp_session' : 'linkcamp_session';
export const LOGIN_COOKIE = SECURE ? '__Host-linkcamp_login' : 'linkcamp_login';
const DB_SOCKET = configValue('database', 'socket');

/* cli runs the linkcamp CLI and returns its standard output, trimmed. */
export function cli(args, input) {
  return execFileSync(path.join(BIN, 'linkcamp'), ['-c', CONFIG, ...args], {
    input: input ?? '', encoding: 'utf8', timeout: 60000,
  }).trim();
}

/* sql runs one query as root and returns rows of tab-separated cells (mariadb -B). */
export function sql(query) {
  const out = execFileSync('mariadb', ['--no-defaults', '-S', DB_SOCKET, '-u', 'root', 'linkcamp',
    '-N', '-B', '-e', query], { encoding: 'utf8', timeout: 60000 });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/* lit quotes a string for SQL. */
export function lit(s) {
  return `'${String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/* sha256hex of a session id: the sessions table keeps only this. */
export function sha256hex(s) {
  return crypto.createHash('sha256').update(s).digest('hex');
}

/* sinkMessages parses every mail the SMTP sink stored: envelope recipients, headers
 * (unfolded, lower-case names) and the body (quoted-printable decoded). */
export function sinkMessages() {
  const out = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(MAILDIR, sub);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      const raw = fs.readFileSync(path.join(dir, name), 'latin1');
      const cut = raw.indexOf('\r\n\r\n');
      const head = raw.slice(0, cut).replace(/\r\n[ \t]+/g, ' ');
      const headers = {};
      for (const line of head.split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] ??= line.slice(i + 1).trim();
      }
      let body = raw.slice(cut + 4);
      if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) {
        body = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi,
          (_, h) => String.fromCharCode(parseInt(h, 16)));
      }
      body = Buffer.from(body, 'latin1').toString('utf8').replace(/\r\n/g, '\n');
      const rcpt = (headers['x-sink-rcpt-to'] ?? '').toLowerCase().split(',').filter(Boolean);
      out.push({ file: name, rcpt, headers, body });
    }
  }
  return out;
}

export async function waitFor(fn, timeoutMs = 30000, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

/* openBrowser starts Debian's Chromium with a fresh --user-data-dir (Playwright passes the
 * directory of launchPersistentContext as --user-data-dir): one browser per person, so
 * nothing is shared between the people a test plays. */
export async function openBrowser() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linkcamp-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60000,
  });
  context.setDefaultTimeout(20000);
  const page = context.pages()[0] ?? await context.newPage();
  const dialogs = [];
  const watch = (p) => p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context, page, dialogs,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/* shot saves a full-page screenshot under tests/browser/screenshots/. */
export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/* login signs in through the form; returns the POST's response (a 303 on success). */
export async function login(page, email, password, next) {
  await page.goto(`${BASE}/app/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().startsWith(`${BASE}/app/login`) && r.request().method() === 'POST'),
    page.click('form[action="/app/login"] button[type=submit]'),
  ]);
  await page.waitForLoadState('load');
  return resp;
}

/* submit clicks a submit button and returns the response of the POST it sends. */
export async function submit(page, selector) {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(BASE)),
    page.click(selector),
  ]);
  await page.waitForLoadState('load');
  return resp;
}

/* csrfOf reads the CSRF token of the page's forms. */
export async function csrfOf(page) {
  return page.locator('input[name=csrf]').first().inputValue();
}

/* sessionId returns the value of the session cookie of a context, or undefined. */
export async function sessionId(context) {
  return (await context.cookies(BASE)).find((c) => c.name === SESSION_COOKIE)?.value;
}

/* setCookieLines returns the Set-Cookie header lines of a response. */
export async function setCookieLines(resp) {
  return (await resp.headersArray()).filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
}

export function randomPassword() {
  return `pw-${crypto.randomBytes(9).toString('base64url')}`;
}
