// Our entries in the Julia extension's `julia.additionalArgs` setting: `--trace-compile=<the
// project's stable trace file>` and, while the selected image is usable, `--sysimage=<image>`. The
// Julia extension passes every element as one argv token (no shell), after `--project=<env>` and
// before its own script (JULIA-VSCODE.md). Pure: features/juliaRepl.ts reads and writes the setting.

/** What we want in the setting. */
export interface OurEntries {
  /** absolute path of the stable trace file (`Status.recording.traceFile`) */
  traceFile: string;
  /** absolute path of the image to use, when one is usable */
  sysimage?: string;
}

export const traceEntry = (file: string): string => `--trace-compile=${file}`;
export const sysimageEntry = (image: string): string => `--sysimage=${image}`;

/** The stable trace file's name and directory under a store directory (docs/protocol.md). */
const stableTrace = /[\\/]traces[\\/]julia-repl\.jl$/;
/** A published image's name in a store directory: `sysimage-<UTC stamp>[-n].<ext>`. */
const publishedImage = /^sysimage-\d{8}T\d{6}Z(-\d+)?\.(so|dylib|dll)$/;

/** The setting's value as a list of strings, or why it is not one (then it is never changed). */
export type ParsedArgs = { ok: true; args: string[] } | { ok: false; reason: string };

/** Reads a raw `julia.additionalArgs` value: absent → empty; anything but an array of strings → malformed. */
export function parseArgs(raw: unknown): ParsedArgs {
  if (raw === undefined || raw === null) return { ok: true, args: [] };
  if (!Array.isArray(raw)) return { ok: false, reason: `julia.additionalArgs is not a list (it is ${describe(raw)})` };
  const bad = raw.findIndex((x) => typeof x !== 'string');
  if (bad >= 0) return { ok: false, reason: `julia.additionalArgs[${bad}] is not a string (it is ${describe(raw[bad])})` };
  return { ok: true, args: raw as string[] };
}

/**
 * Whether `entry` is one of ours: an entry we wrote before (`known`), or by its shape a
 * `--trace-compile=` of a stable trace file, or a `--sysimage=` of a published image in the store
 * directory of such a trace file in `args` (so entries are recognised without our memory, e.g.
 * after the workspace was copied).
 */
export function isOurs(entry: string, args: readonly string[], known: ReadonlySet<string>): boolean {
  if (known.has(entry)) return true;
  const trace = valueOf(entry, '--trace-compile=');
  if (trace !== undefined) return stableTrace.test(trace);
  const image = valueOf(entry, '--sysimage=');
  if (image === undefined) return false;
  const { dir, base } = split(image);
  if (!publishedImage.test(base)) return false;
  return args.some((a) => {
    const t = valueOf(a, '--trace-compile=');
    return t !== undefined && stableTrace.test(t) && split(split(t).dir).dir === dir;
  });
}

/** A sysimage option of the user's own among `args` (`-J x`, `-Jx`, `--sysimage x`, `--sysimage=x`), as written. */
export function userOption(args: readonly string[], kind: 'sysimage' | 'traceCompile'): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    const pair = (flag: string) => (a === flag ? `${a}${next !== undefined ? ` ${next}` : ''}` : undefined);
    if (kind === 'sysimage') {
      const hit = pair('-J') ?? pair('--sysimage') ?? (a.startsWith('-J') || a.startsWith('--sysimage=') ? a : undefined);
      if (hit) return hit;
    } else {
      const hit = pair('--trace-compile') ?? (a.startsWith('--trace-compile=') ? a : undefined);
      if (hit) return hit;
    }
  }
  return undefined;
}

export interface MergeResult {
  /** the new value: the user's entries in their order, then ours */
  args: string[];
  /** whether `args` differs from the input */
  changed: boolean;
  /** our entries in `args` */
  ours: string[];
  /** our `--sysimage=` entry before and after (undefined: none) */
  sysimageBefore?: string;
  sysimageAfter?: string;
  /** the user's own sysimage option (then ours is not added), as written */
  userSysimage?: string;
  /** the user's own trace option (then ours is not added), as written */
  userTraceCompile?: string;
}

/**
 * Puts `want` into `current`: our old entries (isOurs) are taken out, the user's stay in their
 * order, ours go at the end. A user's own `--sysimage`/`-J` (or `--trace-compile`) is never
 * overridden: ours of that kind is then left out and the result says so. Idempotent.
 */
export function mergeArgs(current: readonly string[], want: OurEntries, known: ReadonlySet<string>): MergeResult {
  const before = current.filter((a) => isOurs(a, current, known));
  const user = current.filter((a) => !isOurs(a, current, known));
  const userSysimage = userOption(user, 'sysimage');
  const userTraceCompile = userOption(user, 'traceCompile');
  const ours: string[] = [];
  if (!userTraceCompile) ours.push(traceEntry(want.traceFile));
  if (want.sysimage && !userSysimage) ours.push(sysimageEntry(want.sysimage));
  const args = [...user, ...ours];
  return {
    args,
    changed: !sameList(args, current),
    ours,
    sysimageBefore: before.find((a) => a.startsWith('--sysimage=')),
    sysimageAfter: ours.find((a) => a.startsWith('--sysimage=')),
    userSysimage,
    userTraceCompile,
  };
}

/** Takes exactly our entries out of `current`; the user's stay in their order. */
export function removeOurArgs(current: readonly string[], known: ReadonlySet<string>): { args: string[]; removed: string[] } {
  return {
    args: current.filter((a) => !isOurs(a, current, known)),
    removed: current.filter((a) => isOurs(a, current, known)),
  };
}

export function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function valueOf(entry: string, prefix: string): string | undefined {
  return entry.startsWith(prefix) ? entry.slice(prefix.length) : undefined;
}

function split(p: string): { dir: string; base: string } {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? { dir: '', base: p } : { dir: p.slice(0, i), base: p.slice(i + 1) };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'string' ? `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}` : `a ${typeof v}`;
}
