#!/usr/bin/env node
// Real-client test: drives sysimage-server with vscode-jsonrpc (the JSON-RPC library under
// vscode-languageclient, same version as the VS Code extension uses) over stdio, TCP loopback and a
// Unix socket: initialize, sysimage/ping, sysimage/serverInfo, a $/cancelRequest sent by a
// CancellationTokenSource (answered -32800), shutdown and exit. Over TCP it presents the access token
// that the server printed (initializationOptions.token).
//
//   node tests/client/run.mjs <path to sysimage-server>
//
// Needs tests/client/node_modules (`npm ci` in tests/client; scripts/setup does it). Prints a
// summary; exits 0 when every check passed, 1 otherwise.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

let rpc;
try {
  rpc = (await import('vscode-jsonrpc/node.js')).default;
} catch (error) {
  console.error(`client test: cannot load vscode-jsonrpc (${error.code ?? error.message}).`);
  console.error(`client test: install it first: (cd ${here} && npm ci)   [scripts/setup does this]`);
  process.exit(1);
}

const server = process.argv[2];
if (!server) {
  console.error('usage: node run.mjs <path to sysimage-server>');
  process.exit(2);
}
if (!fs.existsSync(server)) {
  console.error(`client test: no server binary at ${server}`);
  process.exit(1);
}

const RequestCancelled = -32800;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sysimage-client-'));
const results = [];  // { transport, check, ok, detail }

function record(transport, check, ok, detail = '') {
  results.push({ transport, check, ok, detail });
}

async function expectCheck(transport, check, fn) {
  try {
    const detail = await fn();
    record(transport, check, true, detail ?? '');
  } catch (error) {
    record(transport, check, false, error?.stack ?? String(error));
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function startServer(args, name) {
  const log = fs.openSync(path.join(tmp, `${name}.log`), 'w');
  const child = spawn(server, args, {
    stdio: ['pipe', 'pipe', log],
    // XDG_RUNTIME_DIR: the TCP token file goes to tmp, not to the user's runtime directory.
    env: { ...process.env, SYSIMAGE_SERVER_STATE_DIR: path.join(tmp, `state-${name}`), XDG_RUNTIME_DIR: tmp },
  });
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/// Reads the "listening on <address>" line a --listen server prints first on stdout.
function listeningLine(child) {
  return withTimeout(new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('listening on ')) {
        lines.close();
        resolve(line.slice('listening on '.length).trim());
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening`)));
  }), 10000, 'listening line');
}

/// A message connection that answers server->client requests with null and counts notifications.
function connect(reader, writer) {
  const connection = rpc.createMessageConnection(reader, writer);
  connection.notifications = [];
  connection.onNotification((method, params) => connection.notifications.push({ method, params }));
  connection.onRequest((_method, _params) => null);
  connection.listen();
  return connection;
}

/// The session every transport runs: initialize, ping, serverInfo, cancel, shutdown, exit.
async function session(transport, connection, serverPid, initializationOptions = undefined) {
  await expectCheck(transport, 'initialize', async () => {
    const result = await withTimeout(connection.sendRequest('initialize', {
      processId: process.pid,
      clientInfo: { name: 'vscode-jsonrpc client test', version: '1' },
      rootUri: null,
      capabilities: {},
      initializationOptions,
    }), 10000, 'initialize');
    assert(result?.serverInfo?.name === 'sysimage-server', `serverInfo: ${JSON.stringify(result?.serverInfo)}`);
    assert(result?.capabilities?.experimental?.sysimage?.protocolVersion >= 1, 'capabilities.experimental.sysimage.protocolVersion missing');
    await connection.sendNotification('initialized', {});
    return `${result.serverInfo.name} ${result.serverInfo.version}`;
  });

  await expectCheck(transport, 'sysimage/ping', async () => {
    const started = process.hrtime.bigint();
    const result = await withTimeout(connection.sendRequest('sysimage/ping', {}), 5000, 'ping');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert(JSON.stringify(result) === '{}', `result ${JSON.stringify(result)}`);
    const delayed = await withTimeout(connection.sendRequest('sysimage/ping', { delayMs: 20 }), 5000, 'ping 20 ms');
    assert(JSON.stringify(delayed) === '{}', `delayed result ${JSON.stringify(delayed)}`);
    return `${ms.toFixed(2)} ms`;
  });

  await expectCheck(transport, 'sysimage/serverInfo', async () => {
    const info = await withTimeout(connection.sendRequest('sysimage/serverInfo'), 5000, 'serverInfo');
    assert(typeof info?.version === 'string' && info.version.length > 0, `version: ${JSON.stringify(info)}`);
    assert(info.protocolVersion === 1, `protocolVersion ${info.protocolVersion}`);
    assert(info.pid === serverPid, `pid ${info.pid}, expected ${serverPid}`);
    return `version ${info.version}, pid ${info.pid}`;
  });

  await expectCheck(transport, '$/cancelRequest -> -32800', async () => {
    const source = new rpc.CancellationTokenSource();
    const started = Date.now();
    const pending = connection.sendRequest('sysimage/ping', { delayMs: 10000 }, source.token);
    setTimeout(() => source.cancel(), 50);
    let error;
    try {
      const result = await withTimeout(pending, 5000, 'cancelled ping');
      throw new Error(`the cancelled request succeeded: ${JSON.stringify(result)}`);
    } catch (e) {
      error = e;
    }
    assert(error instanceof rpc.ResponseError, `expected a ResponseError, got ${error}`);
    assert(error.code === RequestCancelled, `code ${error.code} (${error.message}), expected ${RequestCancelled}`);
    const ms = Date.now() - started;
    assert(ms < 5000, `cancellation took ${ms} ms`);
    // The session goes on after a cancellation.
    const after = await withTimeout(connection.sendRequest('sysimage/ping', {}), 5000, 'ping after cancel');
    assert(JSON.stringify(after) === '{}', 'ping after cancel');
    return `code ${error.code} after ${ms} ms`;
  });

  await expectCheck(transport, 'shutdown', async () => {
    const result = await withTimeout(connection.sendRequest('shutdown'), 5000, 'shutdown');
    assert(result === null, `result ${JSON.stringify(result)}`);
  });
}

async function stdio() {
  const t = 'stdio';
  const child = startServer([], t);
  const connection = connect(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
  await session(t, connection, child.pid);
  await expectCheck(t, 'exit -> exit code 0', async () => {
    await connection.sendNotification('exit');
    const { code, signal } = await withTimeout(child.exited, 10000, 'server exit');
    assert(code === 0, `exit code ${code} (signal ${signal})`);
    return 'code 0';
  });
  connection.dispose();
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function socketSession(t, args, open) {
  const child = startServer(args, t);
  try {
    const address = await listeningLine(child);
    record(t, 'listening line', true, address.replace(/token=\w+/, 'token=…'));
    const { socket, initializationOptions } = await open(address);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    const connection = connect(new rpc.SocketMessageReader(socket), new rpc.SocketMessageWriter(socket));
    await session(t, connection, child.pid, initializationOptions);
    await expectCheck(t, 'exit closes the connection', async () => {
      await connection.sendNotification('exit');
      await withTimeout(closed, 10000, 'socket close');
    });
    connection.dispose();
    await expectCheck(t, 'server stays up, SIGTERM -> exit code 0', async () => {
      assert(child.exitCode === null, `the listening server exited (${child.exitCode}) after one client's exit`);
      child.kill('SIGTERM');
      const { code, signal } = await withTimeout(child.exited, 10000, 'server exit');
      assert(code === 0, `exit code ${code} (signal ${signal})`);
    });
  } catch (error) {
    record(t, 'session', false, error?.stack ?? String(error));
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function tcp() {
  await socketSession('tcp', ['--listen', 'tcp:127.0.0.1:0'], async (address) => {
    const match = /^tcp:127\.0\.0\.1:(\d+)\?token=([0-9a-f]{64})$/.exec(address);
    if (!match) throw new Error(`unexpected listening line: ${address}`);
    const socket = await new Promise((resolve, reject) => {
      // vscode-jsonrpc writes header and body separately: without TCP_NODELAY, Nagle holds the body
      // back until the server's delayed ACK (~40 ms on Linux).
      const socket = net.connect({ host: '127.0.0.1', port: Number(match[1]), noDelay: true }, () => resolve(socket));
      socket.on('error', reject);
    });
    return { socket, initializationOptions: { token: match[2] } };
  });
}

async function unix() {
  const socketPath = path.join(tmp, 'server.sock');
  await socketSession('unix', ['--listen', `unix:${socketPath}`], async (address) => {
    if (address !== `unix:${socketPath}`) throw new Error(`unexpected listening line: ${address}`);
    const mode = fs.statSync(socketPath).mode & 0o777;
    record('unix', 'socket mode 0600', mode === 0o600, mode.toString(8));
    const socket = await new Promise((resolve, reject) => {
      const socket = net.connect({ path: socketPath }, () => resolve(socket));
      socket.on('error', reject);
    });
    return { socket };  // a Unix socket (mode 0600) needs no token
  });
  record('unix', 'socket file removed on exit', !fs.existsSync(socketPath));
}

const overall = setTimeout(() => {
  console.error('client test: gave up after 90 s');
  process.exit(1);
}, 90000);

await stdio();
await tcp();
await unix();
clearTimeout(overall);

const failed = results.filter((r) => !r.ok);
console.log(`vscode-jsonrpc ${JSON.parse(fs.readFileSync(path.join(here, 'node_modules/vscode-jsonrpc/package.json'))).version} against ${server}`);
for (const r of results) {
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.transport.padEnd(6)} ${r.check}${r.detail && r.ok ? `  (${r.detail})` : ''}`);
  if (!r.ok) console.log(`       ${r.detail.split('\n').join('\n       ')}`);
}
console.log(`${results.length - failed.length}/${results.length} checks passed`);
if (failed.length > 0) {
  for (const name of ['stdio', 'tcp', 'unix']) {
    const log = path.join(tmp, `${name}.log`);
    if (fs.existsSync(log)) console.log(`--- server log (${name}):\n${fs.readFileSync(log, 'utf8').split('\n').slice(-30).join('\n')}`);
  }
  process.exit(1);
}
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(0);
