import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableCpus, cgroupCpuLimit, parseWorkers, workerCount, type ReadText } from './cpus.js';

const files = (map: Record<string, string>): ReadText => (path) => map[path] ?? null;

describe('cgroupCpuLimit', () => {
  it('reads a cgroup v2 quota', () => {
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' })), 1.5);
  });
  it('has no limit for cgroup v2 "max"', () => {
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' })), null);
  });
  it('reads a cgroup v1 quota and period', () => {
    const read = files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '300000\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' });
    assert.equal(cgroupCpuLimit(read), 3);
  });
  it('reads the combined cpu,cpuacct v1 hierarchy', () => {
    const read = files({ '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '50000', '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000' });
    assert.equal(cgroupCpuLimit(read), 0.5);
  });
  it('has no limit for cgroup v1 quota -1, garbage, or no cgroup files', () => {
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' })), null);
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': 'garbage' })), null);
    assert.equal(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '100000 0' })), null);
    assert.equal(cgroupCpuLimit(files({})), null);
  });
});

describe('availableCpus', () => {
  it('caps the CPUs by the quota, rounded up', () => {
    assert.equal(availableCpus(files({ '/sys/fs/cgroup/cpu.max': '150000 100000' }), 8), 2);
    assert.equal(availableCpus(files({ '/sys/fs/cgroup/cpu.max': '400000 100000' }), 8), 4);
  });
  it('never exceeds the CPUs the process may run on', () => {
    assert.equal(availableCpus(files({ '/sys/fs/cgroup/cpu.max': '1600000 100000' }), 2), 2);
    assert.equal(availableCpus(files({ '/sys/fs/cgroup/cpu.max': 'max 100000' }), 6), 6);
  });
  it('is at least 1', () => {
    assert.equal(availableCpus(files({ '/sys/fs/cgroup/cpu.max': '1000 100000' }), 4), 1);
    assert.equal(availableCpus(files({}), 0), 1);
  });
});

describe('parseWorkers', () => {
  it('accepts auto and whole numbers', () => {
    assert.equal(parseWorkers('auto'), 'auto');
    assert.equal(parseWorkers(' AUTO '), 'auto');
    assert.equal(parseWorkers('1'), 1);
    assert.equal(parseWorkers('16'), 16);
  });
  it('rejects zero, negatives, fractions, words and absurd counts', () => {
    for (const bad of ['0', '-1', '1.5', 'two', '1e3', '100000']) assert.throws(() => parseWorkers(bad), /--workers/);
  });
  it('resolves auto from the CPU count', () => {
    assert.equal(workerCount('auto', () => 3), 3);
    assert.equal(workerCount(2, () => 3), 2);
  });
});
