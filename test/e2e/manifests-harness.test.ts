// The e2e harness itself: echo pods that fail to start must not outlive the test that started them
// (they did: startEchoPods threw before returning the processes, so nobody could stop them).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { startEchoPods, type EchoPod } from './manifests-harness.js';

test('startEchoPods stops the pods it started when one of them cannot start', async () => {
  const tag = `harness-leak-${process.pid}`;
  const pods: EchoPod[] = [
    { name: `${tag}-a`, ip: '127.0.0.151', uid: 'a' },
    { name: `${tag}-b`, ip: '127.0.0.152', uid: 'b' },
    // Not an address: this echo exits at once.
    { name: `${tag}-c`, ip: '127.0.0.999', uid: 'c' },
  ];
  await assert.rejects(startEchoPods(pods), /echo exited/);
  const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(tag) && !l.includes('ps -eo'));
  assert.deepEqual(left, []);
});
