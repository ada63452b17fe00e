import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  defaultSettings,
  normalizeSettings,
  programSetting,
  toDidChangeConfiguration,
  toInitializationOptions,
  workspaceOverrides,
} from '../../src/settings';

describe('settings', () => {
  describe('settings → initialization options', () => {
    it('defaults: every documented key except juliaPath', () => {
      assert.deepStrictEqual(toInitializationOptions(normalizeSettings({})), {
        cpuTarget: 'native',
        suggestRebuildAfterStatements: 100,
        excludeNonPortableStatements: false,
        autoRecordRepl: true,
        logLevel: 'info',
      });
    });

    it('carries juliaPath and every setting; never serverPath', () => {
      const s = normalizeSettings({
        juliaPath: '/opt/julia/bin/julia',
        serverPath: '/opt/sysimage-server',
        environmentPath: 'app',
        cpuTarget: 'portable',
        suggestRebuildAfterStatements: 250,
        excludeNonPortableStatements: true,
        autoRecordRepl: false,
        logLevel: 'debug',
      });
      assert.deepStrictEqual(toInitializationOptions(s), {
        juliaPath: '/opt/julia/bin/julia',
        environmentPath: 'app',
        cpuTarget: 'portable',
        suggestRebuildAfterStatements: 250,
        excludeNonPortableStatements: true,
        autoRecordRepl: false,
        logLevel: 'debug',
      });
    });

    it('sends every key of docs/protocol.md "Initialization options" but stateDir and token (TCP only), and no other', () => {
      const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'docs', 'protocol.md'), 'utf8');
      const section = doc.split('### Initialization options')[1]!.split('\n##')[0]!;
      const documented = [...section.matchAll(/\n\| `([A-Za-z]+)` \|/g)].map((m) => m[1]!);
      const keys = Object.keys(toDidChangeConfiguration(normalizeSettings({ juliaPath: '/j', serverPath: '/s' })).juliaSysimage);
      assert.deepStrictEqual(keys.sort(), documented.filter((k) => k !== 'stateDir' && k !== 'token').sort());
    });

    it('didChangeConfiguration nests under juliaSysimage and always names juliaPath', () => {
      assert.deepStrictEqual(toDidChangeConfiguration(normalizeSettings({ cpuTarget: 'portable' })), {
        juliaSysimage: { ...toInitializationOptions(normalizeSettings({ cpuTarget: 'portable' })), juliaPath: '', environmentPath: '' },
      });
      assert.strictEqual(toDidChangeConfiguration(normalizeSettings({ juliaPath: '/j' })).juliaSysimage.juliaPath, '/j');
    });

    it('coerces bad values to the defaults', () => {
      const s = normalizeSettings({
        juliaPath: '   ',
        cpuTarget: 42,
        suggestRebuildAfterStatements: -3,
        excludeNonPortableStatements: 'yes',
        autoRecordRepl: null,
        logLevel: 'loud',
      });
      assert.deepStrictEqual(s, { ...defaultSettings, juliaPath: undefined, serverPath: undefined, environmentPath: undefined });
      assert.strictEqual(normalizeSettings({ suggestRebuildAfterStatements: 12.7 }).suggestRebuildAfterStatements, 12);
      assert.strictEqual(normalizeSettings({ suggestRebuildAfterStatements: 0 }).suggestRebuildAfterStatements, 0);
    });
  });

  describe('Workspace Trust rule for juliaPath / serverPath', () => {
    const inspected = { defaultValue: '', globalValue: '/user/julia', workspaceValue: '/ws/evil.sh', workspaceFolderValue: undefined };

    it('trusted: the workspace value wins', () => {
      assert.strictEqual(programSetting(inspected, true), '/ws/evil.sh');
      assert.strictEqual(programSetting({ ...inspected, workspaceFolderValue: '/folder/julia' }, true), '/folder/julia');
    });

    it('untrusted: only the user value', () => {
      assert.strictEqual(programSetting(inspected, false), '/user/julia');
      assert.strictEqual(programSetting({ ...inspected, workspaceFolderValue: '/folder/evil' }, false), '/user/julia');
    });

    it('untrusted without a user value: unset, never the workspace value', () => {
      assert.strictEqual(programSetting({ defaultValue: '', workspaceValue: '/ws/evil.sh' }, false), undefined);
    });

    it('empty strings mean unset', () => {
      assert.strictEqual(programSetting({ defaultValue: '', globalValue: '' }, true), undefined);
      assert.strictEqual(programSetting(undefined, true), undefined);
    });

    it('workspaceOverrides says when Restricted Mode ignores something', () => {
      assert.ok(workspaceOverrides(inspected));
      assert.ok(!workspaceOverrides({ globalValue: '/x', workspaceValue: '' }));
    });
  });
});
