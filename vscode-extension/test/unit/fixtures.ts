// Status values as the server sends them (docs/protocol.md), for the unit tests.
import type { Status } from '../../src/protocol';

/** What sysimage-server sends today: no staleness, image or build. */
export function servedStatus(overrides: Partial<Status> = {}): Status {
  return {
    project: '/home/u/FLInsurance',
    name: 'FLInsurance',
    kind: 'project',
    julia: { path: '/usr/bin/julia', version: '1.5.3' },
    statements: { total: 412, nonPortable: 3, excluded: 7, newSinceBuild: 12, invalidLines: 0 },
    recording: { sessions: 1 },
    store: { dir: '/home/u/.julia/sysimage-server/1.5.3/abc', degraded: false },
    warnings: [],
    ...overrides,
  };
}

export const timing = (median: number) => ({ median, min: median, max: median, samples: [median] });

/** A status with staleness, image and build (the build work), with an image built 6 minutes ago. */
export function plannedStatus(overrides: Partial<Status> = {}): Status {
  return servedStatus({
    staleness: { state: 'upToDate', reasons: [], diff: [] },
    image: {
      path: '/home/u/.julia/sysimage-server/1.5.3/abc/sysimage-20261121T101500.so',
      builtAt: '2026-11-21T10:15:00Z',
      ageSeconds: 360,
      juliaVersion: '1.5.3',
      cpuTarget: 'native',
      backend: 'native',
      statements: 412,
      packages: [{ name: 'CSV', version: '0.10.11' }],
      ttfx: { workload: 'workload.jl', runs: 5, bare: timing(0.13), withoutImage: timing(2.6), withImage: timing(0.7), speedup: 3.7 },
    },
    build: null,
    ...overrides,
  });
}
