import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CommandRegistry, Cmd } from '../../src/commandRegistry';
import { CommandIds, commandsWithoutServer, ContextKeys } from '../../src/ids';

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string; title: string; category: string; enablement?: string }[] };
  activationEvents: string[];
};

describe('command enablement', () => {
  describe('CommandRegistry', () => {
    function setup() {
      const registered = new Map<string, Cmd>();
      let running: string | undefined;
      const notices: string[] = [];
      const registry = new CommandRegistry<string, string>(
        (id, fn) => {
          registered.set(id, fn);
          return { dispose: () => registered.delete(id) };
        },
        () => running,
        'base',
        (id) => notices.push(id),
      );
      return { registered, registry, notices, setRunning: (r: string | undefined) => (running = r) };
    }

    it('runs the enabled implementation while the server runs', () => {
      const t = setup();
      t.registry.add('x.cmd', { enabled: (r) => (a: number) => `${r}:${a}` });
      t.setRunning('client-1');
      assert.strictEqual(t.registered.get('x.cmd')!(7), 'client-1:7');
      t.setRunning('client-2'); // a restarted server: the new client
      assert.strictEqual(t.registered.get('x.cmd')!(8), 'client-2:8');
    });

    it('never reaches a stopped client: a notice instead', () => {
      const t = setup();
      let called = false;
      t.registry.add('x.cmd', {
        enabled: () => () => {
          called = true;
        },
      });
      t.registered.get('x.cmd')!();
      assert.strictEqual(called, false);
      assert.deepStrictEqual(t.notices, ['x.cmd']);
    });

    it('uses the disabled implementation when there is one', () => {
      const t = setup();
      t.registry.add('x.cmd', { enabled: () => () => 'up', disabled: (b) => () => `down:${b}` });
      assert.strictEqual(t.registered.get('x.cmd')!(), 'down:base');
      assert.deepStrictEqual(t.notices, []);
    });

    it('refuses duplicates and unregisters on dispose', () => {
      const t = setup();
      const d = t.registry.add('x.cmd', { enabled: () => () => 1 });
      assert.throws(() => t.registry.add('x.cmd', { enabled: () => () => 2 }));
      d.dispose();
      assert.ok(!t.registered.has('x.cmd'));
      assert.ok(!t.registry.registered.has('x.cmd'));
    });
  });

  describe('package.json', () => {
    const contributed = new Map(manifest.contributes.commands.map((c) => [c.command, c]));

    it('contributes every command, in category "Julia Sysimage"', () => {
      for (const id of Object.values(CommandIds)) {
        const c = contributed.get(id);
        assert.ok(c, `${id} is not contributed`);
        assert.strictEqual(c.category, 'Julia Sysimage');
      }
      assert.strictEqual(contributed.size, Object.keys(CommandIds).length);
    });

    it('server commands are enabled only while the server runs', () => {
      for (const [name, id] of Object.entries(CommandIds)) {
        const c = contributed.get(id)!;
        if (commandsWithoutServer.includes(name as keyof typeof CommandIds)) {
          assert.strictEqual(c.enablement, undefined, `${id} must work without the server`);
        } else {
          assert.strictEqual(c.enablement, ContextKeys.serverRunning, `${id}`);
        }
      }
    });

    it('has the titles the brief and the e2e test use', () => {
      assert.strictEqual(contributed.get(CommandIds.startRepl)!.title, 'Start Julia REPL with recording');
      assert.strictEqual(contributed.get(CommandIds.build)!.title, 'Build sysimage');
      assert.strictEqual(contributed.get(CommandIds.restartServer)!.title, 'Restart server');
    });
  });
});
