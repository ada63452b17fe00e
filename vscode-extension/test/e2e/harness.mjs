// Runs a real VS Code (code-server 4.100.3 = VS Code 1.100.3) driven by Debian's chromium through
// playwright-core, as /work/shared/VSCODE-E2E.md describes: every run isolated in a fresh short
// directory (HOME, XDG_*, TMPDIR), the extension installed from the .vsix, user settings written
// before start.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const extDir = path.resolve(here, '..', '..');
export const repoDir = path.resolve(extDir, '..');
export const codeServerVersion = '4.100.3';
export const codeServerBin = path.join(process.env.E2E_CACHE ?? path.join(extDir, '.e2e-cache'), `code-server-${codeServerVersion}`, 'node_modules', '.bin', 'code-server');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Settings every run gets (quiet start, no telemetry, no updates, a readable terminal). */
export const baseUserSettings = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  // The DOM renderer, so the test can read the terminal's text (no WebGL in headless chromium).
  'terminal.integrated.gpuAcceleration': 'off',
  'terminal.integrated.enablePersistentSessions': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'window.commandCenter': false,
};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Starts code-server with the extension and opens `folder` in chromium.
 * @param {object} o
 * @param {string} o.runDir    fresh short directory for this instance (created)
 * @param {string} o.vsix      the extension package
 * @param {string[]} o.extraVsix  more packages to install (e.g. the Julia extension's stand-in)
 * @param {string} o.folder    workspace folder to open
 * @param {object} o.settings  user settings added to baseUserSettings
 * @param {object} o.machineSettings  settings of the machine code-server runs on ("Remote" tab):
 *                 where settings of scope machine(-overridable), like the programs to run, belong
 *                 (VS Code ignores those from the browser-side user settings after the first change)
 * @param {boolean} o.trust    leave Workspace Trust on (the Restricted Mode test)
 * @param {object} o.env       extra environment for code-server (and so for the extension host)
 */
export async function startVSCode({ runDir, vsix, extraVsix = [], folder, settings = {}, machineSettings = {}, trust = false, env = {} }) {
  const dirs = {
    home: path.join(runDir, 'h'),
    tmp: path.join(runDir, 't'),
    data: path.join(runDir, 'd'),
    exts: path.join(runDir, 'e'),
    browser: path.join(runDir, 'b'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const userSettings = { ...baseUserSettings, ...settings };
  if (!trust) userSettings['security.workspace.trust.enabled'] = false;
  fs.mkdirSync(path.join(dirs.data, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.data, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));
  fs.mkdirSync(path.join(dirs.data, 'Machine'), { recursive: true });
  fs.writeFileSync(path.join(dirs.data, 'Machine', 'settings.json'), JSON.stringify(machineSettings, null, 2));

  const childEnv = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    TMPDIR: dirs.tmp,
    ...env,
  };
  delete childEnv.VSCODE_IPC_HOOK_CLI;

  for (const pkg of [vsix, ...extraVsix]) {
    const install = spawnSync(codeServerBin, ['--install-extension', pkg, '--extensions-dir', dirs.exts, '--user-data-dir', dirs.data], {
      env: childEnv,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (install.status !== 0) throw new Error(`installing ${pkg} failed:\n${install.stdout}\n${install.stderr}`);
  }

  const port = await freePort();
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir', dirs.data,
    '--extensions-dir', dirs.exts,
  ];
  if (!trust) args.push('--disable-workspace-trust');
  args.push(folder);
  const log = fs.openSync(path.join(runDir, 'code-server.log'), 'a');
  const server = spawn(codeServerBin, args, { env: childEnv, stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  let exited = false;
  server.on('exit', () => (exited = true));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited; see ${path.join(runDir, 'code-server.log')}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('code-server did not answer /healthz within 60 s');
    await sleep(200);
  }

  const context = await chromium.launchPersistentContext(dirs.browser, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLog = fs.createWriteStream(path.join(runDir, 'browser-console.log'));
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });

  return {
    page,
    context,
    pid: server.pid,
    runDir,
    dirs,
    url,
    async close() {
      await context.close().catch(() => undefined);
      consoleLog.end();
      if (!exited) {
        try {
          process.kill(-server.pid, 'SIGTERM');
        } catch {
          // gone already
        }
        for (let i = 0; i < 50 && !exited; i++) await sleep(100);
        if (!exited) {
          try {
            process.kill(-server.pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
    },
  };
}

/**
 * Asks a sysimage-server binary for its capabilities (initialize over stdio, then shutdown/exit):
 * the guard for e2e steps that need server features still in the "Planned" section.
 * @returns {Promise<{commands: string[], serverInfo: object}>}
 */
export async function probeServer(binary) {
  const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (msg) => {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin.write(body);
  };
  const result = await new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error('no initialize answer within 10 s')), 10_000);
    child.on('error', reject);
    child.stdout.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /content-length:\s*(\d+)/i.exec(buf.subarray(0, end).toString());
        const len = m ? Number(m[1]) : 0;
        if (buf.length < end + 4 + len) return;
        const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString('utf8'));
        buf = buf.subarray(end + 4 + len);
        if (msg.id === 1) {
          clearTimeout(timer);
          resolve(msg.result);
        }
      }
    });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } });
  });
  send({ jsonrpc: '2.0', id: 2, method: 'shutdown' });
  send({ jsonrpc: '2.0', method: 'exit' });
  setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  return { commands: result?.capabilities?.executeCommandProvider?.commands ?? [], serverInfo: result?.serverInfo };
}

/** Processes below `pid` (from /proc), as [{pid, cmd}] with cmd the executable's path. */
export function descendants(pid) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // gone
    }
  }
  const out = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length) {
    const p = stack.pop();
    let cmd = '';
    try {
      cmd = fs.readlinkSync(`/proc/${p}/exe`);
    } catch {
      // gone or not ours
    }
    out.push({ pid: p, cmd });
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** The extension's output channel log ("Julia Sysimage") of a run, as text. */
export function outputChannelLog(dataDir) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('Julia Sysimage.log')) found.push(p);
    }
  };
  const logs = path.join(dataDir, 'logs');
  if (fs.existsSync(logs)) walk(logs);
  return found.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}
