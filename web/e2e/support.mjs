// Shared set-up of the browser journeys: the real `switchboard` binary on a fresh data dir,
// Debian's Chromium driven by playwright-core, screenshots kept as test artifacts.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** Where screenshots go (kept by CI as artifacts; ignored by git). */
export const artifacts = resolve(process.env.E2E_ARTIFACTS ?? join(here, 'artifacts'));
const binary = resolve(process.env.SWITCHBOARD_BIN ?? join(here, '..', '..', 'target', 'debug', 'switchboard'));
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts `switchboard serve` on a free port and a fresh data dir; resolves once it listens. `env`
 * adds environment variables (e.g. `SWITCHBOARD_BASE_URL_<PIECE>` pointing a piece at a mock).
 */
export async function startServer(tag, env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), `switchboard-e2e-${tag}-`));
  const child = spawn(binary, ['serve', '--bind', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, SWITCHBOARD_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => fail(new Error('switchboard did not start within 20 s')), 20_000);
    child.once('exit', (code) => fail(new Error(`switchboard exited (${code}) before listening`)));
    lines.on('line', (line) => {
      const m = line.match(/^switchboard listening on (\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.once('exit', ok)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A headless Chromium page (desktop laptop size) whose screenshots are numbered per journey. */
export async function openBrowser(journey) {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const dir = join(artifacts, journey);
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return {
    page,
    /** Uncaught errors in the page so far. */
    errors,
    /** Saves `NN-name.png` for this journey. */
    async shot(name) {
      n += 1;
      await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${name}.png`), fullPage: true });
    },
    close: () => browser.close(),
  };
}

/**
 * Mock vendor APIs on 127.0.0.1: records every request (method, path, query, headers, JSON
 * body) and answers with `respond(request) → [status, body]`.
 */
export async function startMockVendors(respond) {
  const requests = [];
  const http = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://mock');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = raw;
      }
      const r = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body };
      requests.push(r);
      const [status, answer] = respond(r);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise((ok) => http.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    requests,
    stop: () => new Promise((ok) => http.close(ok)),
  };
}
