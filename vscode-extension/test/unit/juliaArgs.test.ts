import * as assert from 'assert';
import { isOurs, mergeArgs, parseArgs, removeOurArgs, sysimageEntry, traceEntry, userOption } from '../../src/juliaArgs';

const store = '/home/u/.julia/sysimage-server/1.5.3/0123456789abcdef';
const trace = `${store}/traces/julia-repl.jl`;
const image = `${store}/sysimage-20261121T101500Z.so`;
const newer = `${store}/sysimage-20261122T090000Z.so`;
const none = new Set<string>();

describe('julia.additionalArgs merge', () => {
  it('adds our two entries after the user\'s, whose order is kept', () => {
    const user = ['--threads=4', '-O1', '--check-bounds=yes'];
    const r = mergeArgs(user, { traceFile: trace, sysimage: image }, none);
    assert.deepStrictEqual(r.args, [...user, `--trace-compile=${trace}`, `--sysimage=${image}`]);
    assert.ok(r.changed);
    assert.deepStrictEqual(r.ours, [traceEntry(trace), sysimageEntry(image)]);
    assert.strictEqual(r.sysimageBefore, undefined);
    assert.strictEqual(r.sysimageAfter, `--sysimage=${image}`);
  });

  it('each entry is one argv token: no quoting, paths with spaces stay whole', () => {
    const spaced = '/home/a user/state/1.5.3/0123456789abcdef/traces/julia-repl.jl';
    const r = mergeArgs([], { traceFile: spaced }, none);
    assert.deepStrictEqual(r.args, [`--trace-compile=${spaced}`]);
  });

  it('is idempotent', () => {
    const once = mergeArgs(['--threads=4'], { traceFile: trace, sysimage: image }, none);
    const twice = mergeArgs(once.args, { traceFile: trace, sysimage: image }, new Set(once.ours));
    assert.deepStrictEqual(twice.args, once.args);
    assert.strictEqual(twice.changed, false);
    // Also without memory of what was written (recognised by shape).
    assert.strictEqual(mergeArgs(once.args, { traceFile: trace, sysimage: image }, none).changed, false);
  });

  it('replaces our image with a newer one, and removes it when none is usable, in place of the user\'s order', () => {
    const start = ['-O1', `--trace-compile=${trace}`, `--sysimage=${image}`, '--threads=2'];
    const updated = mergeArgs(start, { traceFile: trace, sysimage: newer }, none);
    assert.deepStrictEqual(updated.args, ['-O1', '--threads=2', `--trace-compile=${trace}`, `--sysimage=${newer}`]);
    assert.strictEqual(updated.sysimageBefore, `--sysimage=${image}`);
    assert.strictEqual(updated.sysimageAfter, `--sysimage=${newer}`);
    const removed = mergeArgs(updated.args, { traceFile: trace }, none);
    assert.deepStrictEqual(removed.args, ['-O1', '--threads=2', `--trace-compile=${trace}`]);
    assert.strictEqual(removed.sysimageBefore, `--sysimage=${newer}`);
    assert.strictEqual(removed.sysimageAfter, undefined);
  });

  it('removes exactly our entries', () => {
    const current = ['-O1', `--trace-compile=${trace}`, '--sysimage-native-code=yes', `--sysimage=${image}`, '--threads=2'];
    const r = removeOurArgs(current, none);
    assert.deepStrictEqual(r.args, ['-O1', '--sysimage-native-code=yes', '--threads=2']);
    assert.deepStrictEqual(r.removed, [`--trace-compile=${trace}`, `--sysimage=${image}`]);
    assert.deepStrictEqual(removeOurArgs(['-O1'], none), { args: ['-O1'], removed: [] });
  });

  it('knows entries it wrote even when they do not look like ours (an older layout)', () => {
    const old = '--trace-compile=/state/old-layout.jl';
    assert.ok(isOurs(old, [old], new Set([old])));
    assert.deepStrictEqual(removeOurArgs([old, '-O1'], new Set([old])).args, ['-O1']);
  });

  it('never takes a user\'s own sysimage for ours, in any spelling, and leaves it alone', () => {
    for (const own of [['-J', '/opt/my.so'], ['-J/opt/my.so'], ['--sysimage', '/opt/my.so'], ['--sysimage=/opt/my.so'], [`--sysimage=${store}/custom.so`]]) {
      const r = mergeArgs(['--threads=4', ...own], { traceFile: trace, sysimage: image }, none);
      assert.deepStrictEqual(r.args, ['--threads=4', ...own, `--trace-compile=${trace}`], own.join(' '));
      assert.strictEqual(r.userSysimage, own.join(' '));
      assert.strictEqual(r.sysimageAfter, undefined);
      assert.deepStrictEqual(removeOurArgs(r.args, none).args, ['--threads=4', ...own]);
    }
    // Our own image written by the user is not a conflict only when it sits next to our trace file.
    assert.strictEqual(isOurs(`--sysimage=${image}`, [`--sysimage=${image}`], none), false);
    assert.strictEqual(isOurs(`--sysimage=${image}`, [`--sysimage=${image}`, traceEntry(trace)], none), true);
  });

  it('leaves a user\'s own --trace-compile alone and adds no second one', () => {
    const r = mergeArgs(['--trace-compile=/tmp/mine.jl'], { traceFile: trace, sysimage: image }, none);
    assert.deepStrictEqual(r.args, ['--trace-compile=/tmp/mine.jl', `--sysimage=${image}`]);
    assert.strictEqual(r.userTraceCompile, '--trace-compile=/tmp/mine.jl');
    assert.deepStrictEqual(userOption(['--trace-compile', '/tmp/x.jl'], 'traceCompile'), '--trace-compile /tmp/x.jl');
  });

  it('absent setting: our entries only; malformed setting: never changed, with the reason', () => {
    assert.deepStrictEqual(parseArgs(undefined), { ok: true, args: [] });
    assert.deepStrictEqual(parseArgs(null), { ok: true, args: [] });
    assert.deepStrictEqual(parseArgs([]), { ok: true, args: [] });
    assert.deepStrictEqual(mergeArgs([], { traceFile: trace }, none).args, [`--trace-compile=${trace}`]);
    const notAList = parseArgs('-J /x.so');
    assert.strictEqual(notAList.ok, false);
    assert.match(!notAList.ok ? notAList.reason : '', /not a list \(it is the string "-J \/x\.so"\)/);
    const notStrings = parseArgs(['-O1', 3]);
    assert.strictEqual(notStrings.ok, false);
    assert.match(!notStrings.ok ? notStrings.reason : '', /julia\.additionalArgs\[1\] is not a string \(it is a number\)/);
    assert.strictEqual(parseArgs({ a: 1 }).ok, false);
  });
});
