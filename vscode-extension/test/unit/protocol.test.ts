import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as proto from '../../src/protocol';

// rust-analyzer checks its lsp_ext.ts against the doc; so do we, when the repository is there.
const doc = path.join(__dirname, '..', '..', '..', '..', 'docs', 'protocol.md');

describe('protocol.ts', () => {
  it('declares every method and command of docs/protocol.md, and nothing else', function () {
    if (!fs.existsSync(doc)) this.skip();
    const text = fs.readFileSync(doc, 'utf8');
    const documentedMethods = new Set([...text.matchAll(/`(sysimage\/[A-Za-z]+)/g)].map((m) => m[1]!));
    const documentedCommands = new Set([...text.matchAll(/`(sysimage\.[A-Za-z]+)`/g)].map((m) => m[1]!));
    assert.deepStrictEqual([...documentedMethods].sort(), [...proto.methods].sort());
    assert.deepStrictEqual([...documentedCommands].sort(), Object.values(proto.Commands).sort());
  });
});
