// "Select CPU target": native / portable / a custom LLVM CPU target string, written to the
// juliaSysimage.cpuTarget setting (which settingsSync.ts pushes to the server). Works with the
// server down.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

interface TargetItem extends vscode.QuickPickItem {
  value: 'native' | 'portable' | 'custom';
}

export function activate(ctx: Ctx): void {
  const command = () => () => selectCpuTarget(ctx);
  ctx.registerCommand('selectCpuTarget', { enabled: command, disabled: command });
}

async function selectCpuTarget(ctx: Ctx): Promise<string | undefined> {
  const current = ctx.config.cpuTarget;
  const mark = (v: string): string => (current === v ? ' (current)' : '');
  const custom = current !== 'native' && current !== 'portable';
  const items: TargetItem[] = [
    { value: 'native', label: `native${mark('native')}`, detail: 'Fastest; runs only on CPUs like this one.' },
    { value: 'portable', label: `portable${mark('portable')}`, detail: 'Runs on other x86-64 machines (generic plus clones for common CPUs).' },
    { value: 'custom', label: `Custom…${custom ? ` (current: ${current})` : ''}`, detail: 'An LLVM CPU target string, e.g. generic;sandybridge,-xsaveopt,clone_all' },
  ];
  const chosen = await vscode.window.showQuickPick(items, { title: 'Sysimage CPU target', placeHolder: `Current: ${current}` });
  if (!chosen) return undefined;
  let value: string | undefined = chosen.value;
  if (chosen.value === 'custom') {
    value = await vscode.window.showInputBox({
      title: 'LLVM CPU target',
      value: custom ? current : 'generic',
      prompt: 'As for julia --cpu-target, e.g. generic;sandybridge,-xsaveopt,clone_all;haswell,-rdrnd,base(1)',
      validateInput: (v) => (v.trim() === '' ? 'Enter a CPU target' : /\s/.test(v.trim()) ? 'No spaces in a CPU target' : undefined),
    });
    value = value?.trim();
    if (!value) return undefined;
  }
  await ctx.config.setCpuTarget(value);
  return value;
}
