// Running podman and the other tools: output captured (or appended to a log file), a time limit, the exit code.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type Result = { code: number; stdout: string; stderr: string };
export type RunOptions = {
  /** Appends stdout and stderr to this file instead of capturing them. */
  logFile?: string;
  /** Kills the command after this long; it then counts as failed (code 124). */
  timeoutMs?: number;
  /** Answers a failure instead of throwing. */
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
};

export function run(command: string, args: string[], options: RunOptions = {}): Promise<Result> {
  const fd = options.logFile ? openSync(options.logFile, 'a') : undefined;
  return new Promise<Result>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d;
    });
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      if (fd !== undefined) closeSync(fd);
      reject(new Error(`${command}: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (fd !== undefined) closeSync(fd);
      const result = { code: timedOut ? 124 : (code ?? 1), stdout, stderr };
      if (result.code === 0 || options.allowFailure) {
        resolve(result);
        return;
      }
      const why = timedOut ? `timed out after ${options.timeoutMs} ms` : `exited ${result.code}`;
      const output = options.logFile ? tail(options.logFile, 30) : (stderr || stdout).trim().split('\n').slice(-30);
      reject(new Error(`${command} ${args.slice(0, 3).join(' ')} … ${why}\n${output.join('\n')}`));
    });
  });
}

/** The last `n` lines of a file. */
export function tail(file: string, n: number): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n);
}

const containersConf = path.join(import.meta.dirname, 'containers.conf');

/** podman with CONTAINERS_CONF set (this folder's containers.conf unless the environment names one). */
export function podman(args: string[], options: RunOptions = {}): Promise<Result> {
  return run('podman', args, {
    ...options,
    env: { ...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF || containersConf, ...options.env },
  });
}

export const containersConfPath = () => process.env.CONTAINERS_CONF || containersConf;
