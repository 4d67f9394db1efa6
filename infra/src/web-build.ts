// Builds the web app when its sources are newer than its last build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

export function buildWebIfStale(root: string): 'built' | 'fresh' | 'absent' {
  const web = path.join(root, 'web');
  if (!existsSync(path.join(web, 'src'))) return 'absent';
  const index = path.join(web, 'build/index.html');
  const sources = Math.max(newest(path.join(web, 'src')), newest(path.join(root, 'services/kit/src/contract')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return 'fresh';
  const result = spawnSync('npm', ['run', 'build', '-w', 'web'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the web app failed to build');
  return 'built';
}
