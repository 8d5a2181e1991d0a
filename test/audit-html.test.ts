// Issue 13 item 4 and its Tests: the HTML review page opened in headless Chromium (Debian's
// `chromium`, driven by playwright-core). It loads with no request but the document itself, no
// console error and no CSP violation, shows the ten risks with their statuses, prints, and shows
// hostile strings as text. Screenshots (and a PDF) go to test-output/audit-html/ for a person to
// look at. Chromium missing is a failure naming the package, never a skip.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AUDIT_HTML_CSP } from '../lib/report/audit-html.ts';
import type { AuditReport } from '../lib/report/audit-model.ts';
import { renderAudit } from '../lib/report/audit-render.ts';
import { cleanReport, clientConfigReport, failingReport, HOSTILE, hostileReport, reportWithoutPaths } from './helpers/audit-reports.ts';
import { ROOT } from './helpers/cli.ts';

const CHROMIUM = process.env.MCPSEAL_CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = join(ROOT, 'test-output', 'audit-html');

interface Opened {
  page: Page;
  url: string;
  /** Every request the page made, the document's own included. */
  requests: string[];
  /** Console errors (CSP violations are reported there) and uncaught page errors. */
  errors: string[];
}

describe('audit HTML review page in headless Chromium (issue 13 item 4)', function () {
  this.timeout(30_000);
  let browser: Browser;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`headless Chromium is needed for the HTML report test and ${CHROMIUM} does not exist: apt-get install chromium (CI's .ci/run installs it; MCPSEAL_CHROMIUM names another binary)`);
    }
    await mkdir(OUTPUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
  });

  after(async function () {
    await browser?.close();
  });

  /** Writes `html` to test-output/audit-html/NAME.html and opens it from its file:// URL. */
  async function open(html: string, name: string): Promise<Opened> {
    const file = join(OUTPUT, `${name}.html`);
    await writeFile(file, html);
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const opened: Opened = { page, url, requests: [], errors: [] };
    page.on('request', (request) => opened.requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') opened.errors.push(message.text());
    });
    page.on('pageerror', (error) => opened.errors.push(String(error)));
    await page.goto(url, { waitUntil: 'load' });
    return opened;
  }

  function assertQuiet(opened: Opened): void {
    assert.deepEqual(opened.requests, [opened.url], 'the page requests nothing but itself');
    assert.deepEqual(opened.errors, [], 'no console error, no CSP violation');
  }

  /** The risk rows as the page shows them: id, data-status and the badge's text. */
  async function riskRows(page: Page): Promise<{ id: string; status: string; badge: string }[]> {
    return page.$$eval('table.risks tbody tr', (rows) =>
      rows.map((row) => ({ id: row.getAttribute('data-risk') ?? '', status: row.getAttribute('data-status') ?? '', badge: (row.querySelector('.status')?.textContent ?? '').trim() })),
    );
  }

  const WORDS: Record<string, string> = { pass: '✓ PASS', warn: '! WARN', fail: '✗ FAIL', unknown: '? UNKNOWN', 'n/a': '– N/A' };

  async function assertRisks(page: Page, report: AuditReport): Promise<void> {
    const expected = report.risks.map((risk) => ({ id: String(risk.id), status: risk.status, badge: WORDS[risk.status]! }));
    assert.deepEqual(await riskRows(page), expected);
  }

  it('a failing bundle: no request but the document, no console error, the ten risks with their statuses, evidence, scopes, command line', async function () {
    const report = failingReport();
    const opened = await open(renderAudit(report, 'html'), 'failing');
    const { page } = opened;
    await assertRisks(page, report);
    assert.match((await page.textContent('#verdict')) ?? '', /Verdict: FAIL: do not install \(2 failing, 1 to review, 0 unknown\)/u);
    assert.equal(await page.$$eval('#evidence li.finding', (items) => items.length), 4);
    assert.equal(await page.textContent('#risk-6 .where'), 'server/index.js:42');
    assert.equal(await page.textContent('#risk-6 pre.excerpt'), 'exec(`sh -c ${cmd}`)');
    assert.equal(await page.textContent('#command pre'), "node '${__dirname}/server/index.js'");
    assert.match((await page.textContent('#provenance')) ?? '', /signed \(Sigstore bundle, verified\).*https:\/\/github\.com\/example\/notes-server/su);
    // The stylesheet applied: the CSP's hash matches it (a mismatch would leave the page unstyled and log a violation).
    assert.equal(await page.$eval('tr[data-risk="3"] .status', (badge) => badge.ownerDocument.defaultView!.getComputedStyle(badge).color), 'rgb(164, 0, 15)');
    await page.screenshot({ path: join(OUTPUT, 'failing.png'), fullPage: true });
    assertQuiet(opened);
    await page.close();
  });

  it('a clean bundle passes every risk and shows its scopes as a table', async function () {
    const report = cleanReport();
    const opened = await open(renderAudit(report, 'html'), 'clean');
    await assertRisks(opened.page, report);
    assert.equal(await opened.page.getAttribute('#verdict', 'data-verdict'), 'pass');
    const scopes = await opened.page.$$eval('table.scopes tbody tr', (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    assert.deepEqual(scopes, [
      ['filesystem', 'read', '${user_config.notes}'],
      ['network', 'egress', 'api.example.com:443'],
      ['env', 'read', 'NOTES_TOKEN'],
    ]);
    assert.match((await opened.page.textContent('#evidence')) ?? '', /No findings\./u);
    await opened.page.screenshot({ path: join(OUTPUT, 'clean.png'), fullPage: true });
    assertQuiet(opened);
    await opened.page.close();
  });

  it('unknown and n/a statuses, an unsigned subject, no scopes and no command are said in words', async function () {
    const report = reportWithoutPaths();
    const opened = await open(renderAudit(report, 'html'), 'without-paths');
    await assertRisks(opened.page, report);
    assert.match((await opened.page.textContent('#provenance')) ?? '', /UNSIGNED: nothing ties this file to a publisher/u);
    assert.match((await opened.page.textContent('#scopes')) ?? '', /what the server can touch is not known/u);
    assert.match((await opened.page.textContent('#command')) ?? '', /The command line is not known/u);
    assertQuiet(opened);
    await opened.page.close();
  });

  it('a client config: one row per server with its install channel and pinning, then its findings', async function () {
    const opened = await open(renderAudit(clientConfigReport(), 'html'), 'client-config');
    const rows = await opened.page.$$eval('table.servers tbody tr', (items) => items.map((row) => [row.getAttribute('data-channel'), ...[...row.querySelectorAll('td')].map((cell) => cell.textContent)]));
    assert.deepEqual(rows, [
      ['mcpseal', 'notes', 'mcpseal run (signed, pinned bundle)', 'notes-server@1.2.0', 'yes', '✓ PASS'],
      ['npx', 'files', 'npx (npm package feed)', '@example/files', 'NO', '✗ FAIL'],
      ['remote', 'search', 'remote server (URL)', 'https://mcp.example.com/mcp', 'NO', '! WARN'],
    ]);
    assert.equal(await opened.page.textContent('#server-1-risk-3 li.finding code'), 'AUDIT_UNPINNED_PACKAGE');
    assert.equal(await opened.page.textContent('#server-2-risk-4 li.finding code'), 'AUDIT_REMOTE_NO_AUTH');
    assert.match((await opened.page.textContent('article.server')) ?? '', /Server notes\s*Every risk passes or does not apply\./u);
    await opened.page.screenshot({ path: join(OUTPUT, 'client-config.png'), fullPage: true });
    assertQuiet(opened);
    await opened.page.close();
  });

  it('prints: under print media the statuses are black on white words, and a PDF is written', async function () {
    const opened = await open(renderAudit(failingReport(), 'html'), 'print');
    await opened.page.emulateMedia({ media: 'print' });
    assert.equal(await opened.page.$eval('tr[data-risk="3"] .status', (badge) => badge.ownerDocument.defaultView!.getComputedStyle(badge).color), 'rgb(0, 0, 0)');
    assert.equal(await opened.page.$eval('tr[data-risk="3"] .status', (badge) => badge.textContent), '✗ FAIL');
    await opened.page.screenshot({ path: join(OUTPUT, 'print.png'), fullPage: true });
    const pdf = await opened.page.pdf({ path: join(OUTPUT, 'failing.pdf'), format: 'A4' });
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assertQuiet(opened);
    await opened.page.close();
  });

  it('hostile strings (</script>, <img onerror>, </style>, attribute breaks, bidi overrides, ANSI) are shown as text', async function () {
    const opened = await open(renderAudit(hostileReport(), 'html'), 'hostile');
    const { page } = opened;
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined, 'no injected script or handler ran');
    assert.equal(await page.$$eval('script, img', (elements) => elements.length), 0);
    assert.equal(await page.$$eval('style', (elements) => elements.length), 1);
    assert.equal(await page.$$eval('[onmouseover], [onerror]', (elements) => elements.length), 0);
    assert.equal(await page.$eval('body', (body) => body.ownerDocument.defaultView!.getComputedStyle(body).display), 'block');
    const text = await page.$eval('body', (body) => body.innerText);
    assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}]/u, 'no raw control or bidi character reaches the reader');
    assert.ok(text.includes(HOSTILE.script), 'the markup is visible as written');
    assert.ok(text.includes(HOSTILE.img));
    assert.ok(text.includes('safe\\u202egnp.exe\\u202c and \\u2066hidden\\u2069'), 'bidi controls are shown as escapes');
    assert.ok(text.includes('\\u001b]52;c;'), 'the OSC 52 sequence is shown, not sent');
    assert.equal(await page.$$eval('#risk-2 li.finding', (items) => items.length), Object.keys(HOSTILE).length);
    await page.screenshot({ path: join(OUTPUT, 'hostile.png'), fullPage: true });
    assertQuiet(opened);
    await page.close();
  });

  it('the CSP is in force: the page carries it, and a stylesheet it did not hash is refused with a reported violation', async function () {
    const html = renderAudit(failingReport(), 'html');
    assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="${AUDIT_HTML_CSP.replaceAll("'", '&#39;')}">`));
    assert.match(AUDIT_HTML_CSP, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='/u);
    // The same page with one byte of its stylesheet changed: the hash no longer matches.
    const opened = await open(html.replace('box-sizing: border-box;', 'box-sizing: content-box;'), 'csp-tampered');
    assert.equal(await opened.page.$eval('tr[data-risk="3"] .status', (badge) => badge.ownerDocument.defaultView!.getComputedStyle(badge).color), 'rgb(0, 0, 0)', 'unstyled');
    assert.ok(opened.errors.some((error) => /Content Security Policy/u.test(error)), `a violation is reported: ${JSON.stringify(opened.errors)}`);
    await opened.page.close();
  });
});
