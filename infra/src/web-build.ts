// Builds the web app when its sources are newer than its last build. Several processes may ask at once (test files
// run in parallel, the launcher): one builds under a lock while the others wait for it, since a build empties the
// output folder first and a page served meanwhile would miss its scripts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

// a lock left by a build that died with its process is taken over after this long
const STALE_LOCK_MS = 10 * 60_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `work` while holding a lock directory (mkdir is atomic), waiting for another holder to finish first. */
function underLock<T>(lock: string, work: () => T): T {
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const since = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (since > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else sleepSync(200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function buildWebIfStale(root: string): 'built' | 'fresh' | 'absent' {
  const web = path.join(root, 'web');
  if (!existsSync(path.join(web, 'src'))) return 'absent';
  const index = path.join(web, 'build/index.html');
  const isFresh = () => {
    const sources = Math.max(newest(path.join(web, 'src')), newest(path.join(root, 'services/kit/src/contract')));
    return existsSync(index) && statSync(index).mtimeMs >= sources;
  };
  // looked at only under the lock: a build under way may already have written index.html but not its scripts
  return underLock(path.join(web, '.build-lock'), () => {
    if (isFresh()) return 'fresh';
    const result = spawnSync('npm', ['run', 'build', '-w', 'web'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('the web app failed to build');
    return 'built';
  });
}
