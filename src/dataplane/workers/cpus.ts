import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Reads a small file's text, or null when it is absent or unreadable (no cgroup, not Linux). */
export type ReadText = (path: string) => string | null;

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/**
 * cgroupCpuLimit: the CPU quota of this process's cgroup in CPUs (fractional), or null without one.
 * cgroup v2 writes `<quota> <period>` (or `max <period>`) to cpu.max; v1 splits them over
 * cpu.cfs_quota_us (-1 = none) and cpu.cfs_period_us (kernel Documentation/admin-guide/cgroup-v2.rst
 * "cpu.max", Documentation/scheduler/sched-bwc.rst). Inside a container /sys/fs/cgroup is the
 * container's own cgroup, which is where Kubernetes puts `resources.limits.cpu`.
 */
export function cgroupCpuLimit(read: ReadText = readText): number | null {
  const v2 = read('/sys/fs/cgroup/cpu.max');
  if (v2 !== null) {
    const [quota, period] = v2.trim().split(/\s+/);
    return quotaCpus(quota, period);
  }
  for (const dir of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct']) {
    const quota = read(`${dir}/cpu.cfs_quota_us`);
    if (quota !== null) return quotaCpus(quota.trim(), read(`${dir}/cpu.cfs_period_us`)?.trim());
  }
  return null;
}

function quotaCpus(quota: string | undefined, period: string | undefined): number | null {
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return null;
  return q / p;
}

/**
 * availableCpus: how many CPUs this process may keep busy: the CPUs it may run on
 * (os.availableParallelism honours the affinity mask, e.g. taskset or a cpuset) capped by the
 * cgroup quota rounded up, as Go 1.25 sizes GOMAXPROCS in a container. At least 1.
 */
export function availableCpus(read: ReadText = readText, parallelism = availableParallelism()): number {
  const limit = cgroupCpuLimit(read);
  const cpus = limit === null ? parallelism : Math.min(parallelism, Math.ceil(limit));
  return Math.max(1, cpus);
}

export const MAX_WORKERS = 256;

/** parseWorkers reads `--workers N|auto`: a whole number 1..MAX_WORKERS, or `auto`. */
export function parseWorkers(value: string): number | 'auto' {
  const v = value.trim().toLowerCase();
  if (v === 'auto' || v === '') return 'auto';
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_WORKERS) {
    throw new Error(`--workers: expected auto or a whole number from 1 to ${MAX_WORKERS}, got "${value}"`);
  }
  return Number(v);
}

/** workerCount resolves `--workers`: auto = availableCpus(). */
export function workerCount(value: number | 'auto', cpus: () => number = availableCpus): number {
  return value === 'auto' ? cpus() : value;
}
