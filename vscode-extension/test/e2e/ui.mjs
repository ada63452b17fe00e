// What a user does in VS Code, for the e2e test: the command palette, the status bar item and
// its hover, notifications, the integrated terminal. DOM classes of VS Code 1.100.
import { sleep } from './harness.mjs';

/** Polls `fn` until it returns a truthy value; throws `what` after `timeoutMs`. */
export async function waitFor(what, fn, timeoutMs = 30_000, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last instanceof Error ? ` (${last.message})` : ''}`);
    await sleep(intervalMs);
  }
}

/** The Julia Sysimage status bar item (its entry id ends with our item id). */
export function statusItem(page) {
  return page.locator('.part.statusbar .statusbar-item[id$="juliaSysimage.status"]');
}

export async function statusText(page) {
  const item = statusItem(page);
  if ((await item.count()) === 0) return '';
  return ((await item.first().innerText()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Waits until the status bar item's text matches `re`; returns the text. */
export function waitForStatusText(page, re, timeoutMs = 60_000) {
  return waitFor(`status bar text matching ${re}`, async () => {
    const t = await statusText(page);
    return re.test(t) ? t : undefined;
  }, timeoutMs);
}

/** Hovers the status bar item and returns the hover's text (the Markdown tooltip, rendered). */
export async function hoverStatus(page) {
  await page.mouse.move(700, 300);
  await sleep(300);
  const item = statusItem(page).first();
  await item.hover();
  const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: /Julia Sysimage|Project:/ }).last();
  await hover.waitFor({ state: 'visible', timeout: 10_000 });
  await sleep(300);
  return (await hover.innerText()).replace(/[ \t]+/g, ' ');
}

/** Moves the mouse away from the status bar and waits until no hover is shown (for a screenshot). */
export async function closeHovers(page) {
  await page.mouse.move(700, 300);
  await waitFor('hovers to close', async () => (await page.locator('.workbench-hover:visible, .monaco-hover:visible').count()) === 0, 10_000, 100);
}

/** The recorded statement count the tooltip shows. */
export async function recordedCount(page) {
  const text = await hoverStatus(page);
  const m = /Recorded precompile statements:\s*(\d+)/.exec(text);
  if (!m) throw new Error(`no recorded count in the tooltip:\n${text}`);
  return Number(m[1]);
}

/** Runs a command through the command palette (F1), choosing the row whose label matches. */
export async function runCommand(page, title) {
  await page.mouse.move(700, 300); // away from the status bar: close its hover
  await page.keyboard.press('Escape');
  // The title bar (not the top of the window, where Restricted Mode's banner has a "Learn More" link).
  await page.locator('.monaco-workbench .part.titlebar').first().click({ position: { x: 700, y: 10 }, timeout: 5000 }).catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input[type="text"]');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}

/** Notification toasts whose text matches `re`. */
export function toast(page, re) {
  return page.locator('.notifications-toasts .notification-toast').filter({ hasText: re });
}

export async function waitForToast(page, re, timeoutMs = 60_000) {
  const t = toast(page, re).first();
  await t.waitFor({ state: 'visible', timeout: timeoutMs });
  return t;
}

/** Text of the active terminal (DOM renderer: terminal.integrated.gpuAcceleration off). */
export async function terminalText(page) {
  const rows = page.locator('.terminal-wrapper.active .xterm-rows, .terminal-wrapper .xterm-rows');
  if ((await rows.count()) === 0) return '';
  const texts = await rows.allInnerTexts();
  return texts.join('\n');
}

/**
 * Types a line into the active terminal and presses Enter once the terminal shows it (a key
 * typed right after focusing can be lost: then the line is cleared with ^U and typed again).
 */
export async function typeInTerminal(page, line) {
  const screen = page.locator('.terminal-wrapper.active .xterm-screen, .terminal-wrapper .xterm-screen').last();
  await screen.click();
  await sleep(500);
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.type(line, { delay: 15 });
    const shown = await waitFor(`"${line}" in the terminal`, async () => (await terminalText(page)).includes(line), 3000).catch(() => false);
    if (shown || attempt === 3) break;
    await page.keyboard.press('Control+U');
    await sleep(300);
  }
  await page.keyboard.press('Enter');
}

/** Opens a file of the workspace by clicking it in the Explorer. */
export async function openFromExplorer(page, name) {
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: name }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
  await page.locator('.editor-group-container .tab').filter({ hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
}
