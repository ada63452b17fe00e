// Finds the sysimage-server executable: the serverPath setting, else the binary built in this
// extension's repository, else one bundled next to the extension, else `sysimage-server` on PATH.
// File system access is injected so the order can be unit-tested.
import * as path from 'path';

export type ServerPathSource = 'setting' | 'repository' | 'bundled' | 'PATH';

export interface ServerPathCandidate {
  path: string;
  source: ServerPathSource;
}

export interface ServerPathQuery {
  /** the (trust-filtered) juliaSysimage.serverPath setting */
  setting?: string;
  /** the extension's install directory (ExtensionContext.extensionPath) */
  extensionPath: string;
  /** process.env.PATH */
  pathEnv?: string;
  /** for `~` in the setting */
  homeDir?: string;
  /** for a relative setting: the first workspace folder */
  baseDir?: string;
}

export type ServerPathResult =
  | { ok: true; path: string; source: ServerPathSource }
  | { ok: false; message: string; tried: ServerPathCandidate[] };

export const serverExecutableName = 'sysimage-server';

/** The places to look, in order. With a setting, only the setting. */
export function serverPathCandidates(q: ServerPathQuery): ServerPathCandidate[] {
  if (q.setting) {
    let p = q.setting;
    if (q.homeDir && (p === '~' || p.startsWith('~/'))) p = path.join(q.homeDir, p.slice(1));
    if (!path.isAbsolute(p) && q.baseDir) p = path.resolve(q.baseDir, p);
    return [{ path: p, source: 'setting' }];
  }
  const out: ServerPathCandidate[] = [
    // Run from the repository (vscode-extension/ next to build/): the server built there.
    { path: path.resolve(q.extensionPath, '..', 'build', 'bin', serverExecutableName), source: 'repository' },
    { path: path.join(q.extensionPath, 'bin', serverExecutableName), source: 'bundled' },
  ];
  for (const dir of (q.pathEnv ?? '').split(path.delimiter)) {
    if (dir) out.push({ path: path.join(dir, serverExecutableName), source: 'PATH' });
  }
  return out;
}

/** The first candidate that is an executable file, or a message saying what was tried. */
export function resolveServerPath(q: ServerPathQuery, isExecutableFile: (p: string) => boolean): ServerPathResult {
  const candidates = serverPathCandidates(q);
  for (const c of candidates) {
    if (isExecutableFile(c.path)) return { ok: true, path: c.path, source: c.source };
  }
  if (q.setting) {
    return {
      ok: false,
      tried: candidates,
      message: `juliaSysimage.serverPath is set to "${q.setting}", which is not an executable file.`,
    };
  }
  return {
    ok: false,
    tried: candidates,
    message:
      `Could not find ${serverExecutableName}: not built in this repository (${candidates[0]!.path}), ` +
      `not bundled with the extension, and not on PATH. Build it (cmake --build build --target sysimage-server) ` +
      `or set juliaSysimage.serverPath.`,
  };
}
