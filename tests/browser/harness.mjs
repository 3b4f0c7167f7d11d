// The browser tests' harness: a real SMTP server (maildev), the real application
// binary on a free port with a fresh SQLite database, and Debian's Chromium driven
// by playwright-core. Every page a journey visits goes through `checkPage`, which
// audits it with axe-core (WCAG 2.1 A and AA rules) and saves a screenshot at
// desktop and mobile width under target/screenshots/.
//
// A test file opens one site for all its tests:
//
//   const site = await openSite();        // in before()
//   const page = await site.newPage();    // or newPage({ javaScript: false })
//   await site.close();                   // in after(): everything is stopped
//
// Adding a journey (staff, authority picker…): a new `*.test.mjs` file in this
// folder using `openSite`, `checkPage`, and the actions of `actions.mjs` (add
// the staff's own actions there or in a file of their own).

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = join(ROOT, 'target/screenshots');
const BINARY = join(ROOT, 'target/debug/inscriptions');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 375, height: 812 };
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// Children still running when this process exits for any reason (a failed
// assertion, an uncaught error) are killed, so no server outlives its test.
// Interrupted (Ctrl-C, or the test runner's timeout), it does the same.
const children = new Set();
const killChildren = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function stopChild(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/// Calls `probe` until it returns a truthy value, or fails with `message`.
export async function waitFor(probe, message, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`délai dépassé : ${message}`);
    await sleep(100);
  }
}

function canConnect(port) {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/// maildev: a real SMTP server whose mailbox we read over HTTP.
export async function startMaildev() {
  const smtpPort = await freePort();
  const webPort = await freePort();
  const child = track(
    spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules/maildev/dist/bin/maildev.js'),
        '--smtp', String(smtpPort),
        '--web', String(webPort),
        '--ip', '127.0.0.1',
        '--web-ip', '127.0.0.1',
        '--silent',
      ],
      { stdio: 'ignore' },
    ),
  );
  const api = `http://127.0.0.1:${webPort}`;
  await waitFor(
    async () => (await fetch(`${api}/api/email`)).ok && (await canConnect(smtpPort)),
    'maildev ne démarre pas (lancez `npm ci`)',
    20_000,
  );
  return {
    smtpPort,
    async emails() {
      const response = await fetch(`${api}/api/email`);
      return response.json();
    },
    /// The first email to `address` whose subject matches, once it arrives.
    async waitForEmail(address, subject = /./) {
      return waitFor(
        async () =>
          (await this.emails()).find(
            (email) =>
              email.to.some((to) => to.address.toLowerCase() === address.toLowerCase()) &&
              subject.test(email.subject),
          ),
        `aucun courriel « ${subject} » pour ${address}`,
      );
    },
    stop: () => stopChild(child),
  };
}

/// The application binary (built by `cargo build`) on a free port, with a fresh
/// database in a temporary folder and its emails sent to `smtpPort`.
export async function startApp({ smtpPort, env = {} }) {
  const dir = mkdtempSync(join(tmpdir(), 'inscriptions-browser-'));
  const child = track(
    spawn(BINARY, ['serve'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NO_COLOR: '1',
        INSCRIPTIONS__SERVER__BIND: '127.0.0.1:0',
        INSCRIPTIONS__SERVER__DSFR_DIR: join(ROOT, 'node_modules/@gouvfr/dsfr/dist'),
        INSCRIPTIONS__SERVER__STATIC_DIR: join(ROOT, 'static'),
        INSCRIPTIONS__DATABASE__URL: `sqlite://${join(dir, 'db.sqlite')}`,
        INSCRIPTIONS__DATABASE__SYNCHRONOUS: 'normal',
        INSCRIPTIONS__MAIL__TRANSPORT: 'smtp',
        INSCRIPTIONS__MAIL__TEMPLATES_DIR: join(ROOT, 'templates'),
        INSCRIPTIONS__MAIL__FILE_DIR: join(dir, 'emails'),
        INSCRIPTIONS__MAIL__SMTP__HOST: '127.0.0.1',
        INSCRIPTIONS__MAIL__SMTP__PORT: String(smtpPort),
        INSCRIPTIONS__MAIL__SMTP__TLS: 'none',
        INSCRIPTIONS__MAIL__WORKER__POLL_INTERVAL_MS: '100',
        // Every journey posts forms from 127.0.0.1: no rate limit in the way.
        INSCRIPTIONS__RATE_LIMIT__PER_MINUTE: '100000',
        INSCRIPTIONS__RATE_LIMIT__BURST: '100000',
        ...env,
      },
    }),
  );
  child.on('error', () => {});
  let log = '';
  child.stderr.on('data', (chunk) => (log += chunk));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`l’application ne démarre pas :\n${log}`)), 30_000);
    child.once('error', (error) =>
      fail(new Error(`${BINARY} introuvable : lancez \`cargo build\` (${error.message})`)),
    );
    child.once('exit', (code) => fail(new Error(`l’application s’est arrêtée (code ${code}) :\n${log}`)));
    lines.on('line', (line) => {
      log += `${line}\n`;
      const found = /^inscriptions : (http:\/\/\S+) \(Ctrl-C/.exec(line);
      if (found) {
        clearTimeout(timer);
        done(found[1]);
      }
    });
  });
  return {
    url,
    log: () => log,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/// maildev, the application and a browser, for one test file.
export async function openSite({ env } = {}) {
  const started = [];
  try {
    const maildev = await startMaildev();
    started.push(maildev);
    const app = await startApp({ smtpPort: maildev.smtpPort, env });
    started.push(app);
    const browser = await launchBrowser();
    started.push({ stop: () => browser.close() });
    return {
      url: app.url,
      app,
      maildev,
      browser,
      /// A fresh visitor (own cookies); `javaScript: false` for a browser without it.
      async newPage({ javaScript = true } = {}) {
        const context = await browser.newContext({
          baseURL: app.url,
          viewport: DESKTOP,
          javaScriptEnabled: javaScript,
          locale: 'fr-FR',
        });
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        if (!javaScript) withoutJavaScript.add(page);
        return page;
      },
      close: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

async function stopAll(started) {
  for (const item of started.reverse()) {
    await item.stop().catch(() => {});
  }
  started.length = 0;
}

// ---------------------------------------------------------------------------
// Accessibility audit and screenshots

// Pages opened with JavaScript off. axe-core cannot run in them (timers never
// fire there, even for the DevTools protocol), so they are audited through a copy.
const withoutJavaScript = new WeakSet();

const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/// Runs axe-core in the page with the WCAG 2.1 A and AA rules; returns its
/// violations. Injected through the DevTools protocol, so the page's CSP (no
/// inline script) stays on. A page without JavaScript is audited as a copy: its
/// HTML served at the same address in a page where scripts are allowed for axe
/// but every script file of the site is blocked, so it is drawn exactly as
/// without JavaScript.
export async function audit(page) {
  if (!withoutJavaScript.has(page)) return auditLive(page);
  const html = await page.content();
  const address = page.url();
  const context = await page.context().browser().newContext({ viewport: page.viewportSize() ?? DESKTOP });
  try {
    const copy = await context.newPage();
    await copy.route('**/*', (route) => {
      const request = route.request();
      if (request.resourceType() === 'document') {
        return route.fulfill({ contentType: 'text/html; charset=utf-8', body: html });
      }
      if (request.resourceType() === 'script') return route.abort();
      return route.continue();
    });
    await copy.goto(address);
    return await auditLive(copy);
  } finally {
    await context.close();
  }
}

async function auditLive(page) {
  const session = await page.context().newCDPSession(page);
  const evaluate = async (expression) => {
    const { result, exceptionDetails } = await session.send('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (exceptionDetails) {
      throw new Error(`axe-core : ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    }
    return result.value;
  };
  try {
    if ((await evaluate('typeof window.axe')) === 'undefined') await evaluate(AXE_SOURCE);
    return await evaluate(`window.axe
      .run(document, {
        runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} },
        resultTypes: ['violations'],
      })
      .then((results) => results.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      })))`);
  } finally {
    await session.detach().catch(() => {});
  }
}

/// One line per violation: rule id, help, and the selector of each element at fault.
export function describeViolations(violations) {
  return violations
    .map((v) => `- ${v.id} (${v.impact}) : ${v.help}\n${v.targets.map((t) => `    ${t}`).join('\n')}`)
    .join('\n');
}

export async function assertAccessible(page, name) {
  const violations = await audit(page);
  if (violations.length > 0) {
    throw new Error(
      `${violations.length} règle(s) WCAG 2.1 A/AA non respectée(s) sur « ${name} » (${page.url()}) :\n` +
        describeViolations(violations),
    );
  }
}

export async function takeScreenshots(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = name.replace(/[^a-z0-9-]+/gi, '-');
  const original = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SCREENSHOTS, `${file}-desktop.png`), fullPage: true });
  await page.setViewportSize(MOBILE);
  await page.screenshot({ path: join(SCREENSHOTS, `${file}-mobile.png`), fullPage: true });
  await page.setViewportSize(original);
}

/// What every visited page gets: the audit, then screenshots at both widths.
/// Call it once the journey's own checks on the page are done (resizing the
/// window may move the scroll position).
export async function checkPage(page, name) {
  await page.waitForLoadState('load');
  await assertAccessible(page, name);
  await takeScreenshots(page, name);
}

/// Options for a journey's `test()`: a stuck page fails the test instead of
/// hanging the suite.
export const JOURNEY = { timeout: 90_000 };
