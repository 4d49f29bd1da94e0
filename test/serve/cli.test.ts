/**
 * `wirewhy serve` options: bad values and a port in use are one line on stderr and exit
 * status 2 (the contract's bad usage), never a stack trace; the URL is the first stdout line.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, serve } from './harness.js';

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'serve', ...args], { encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('wirewhy serve options', () => {
  for (const [args, msg] of [
    [['--port', '99999'], /--port 99999: expected a whole number from 0 to 65535/],
    [['--port', 'http'], /--port http: expected a whole number/],
    [['--max-upload-mb', '0'], /--max-upload-mb 0: expected a number from 0\.001/],
    [['--max-concurrent', '0'], /--max-concurrent 0: expected a whole number from 1 to 256/],
    [['--timeout-s', '-1'], /--timeout-s -1/],
    [['--min-upload-kib-s', '-1'], /--min-upload-kib-s -1: expected a number from 0 to 1000000/],
    [['--upload-window-s', '0'], /--upload-window-s 0: expected a number from 0\.1 to 3600/],
    [['--host', '192.0.2.77', '--port', '0'], /--host 192\.0\.2\.77: not an address of this machine/],
  ] as Array<[string[], RegExp]>) {
    it(args.join(' '), () => {
      const r = run(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    });
  }

  it('a port in use', async () => {
    const s = await serve(['--quiet']);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const port = new URL(s.url).port;
    const r = run(['--port', port]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1 port ${port} is already in use; choose another with --port \\(0 = any free port\\)\\n$`));
    expect(await s.stop()).toBe(0);
  });
});
