/**
 * `wirewhy interfaces --lang en|zh`, through the real executable and the stand-in binding
 * test/live/fake-pcap.cjs (interfaces fake0 with 192.0.2.1/24, denied0 without addresses): the
 * listing in Chinese (no English prose but libpcap's quoted words, names, paths and commands), the
 * English listing unchanged, and its errors (no binding) as one Chinese line with exit status 2.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { englishWords, tokens } from '../helpers/zh-prose.js';
import { REPO } from '../tshark-fixture.js';
import { interfacesWords, permissionFixText, permissionHowText, type PermissionVia } from '../../src/capture/live-words.js';

const BIN = join(REPO, 'dist/src/cli/main.js');
const FAKE = join(REPO, 'test/live/fake-pcap.cjs');
const HAN = /[\u4e00-\u9fff]/;

function run(args: string[], env: Record<string, string> = { WIREWHY_CAP_MODULE: FAKE }): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function chinese(text: string, ...data: string[]): void {
  expect(text).toMatch(HAN);
  const known = new Set(data.flatMap((d) => tokens(d).map((t) => t.toLowerCase())));
  expect(englishWords(text, 'text', known), text).toEqual([]);
}

describe('wirewhy interfaces --lang', () => {
  it('English (the default, and --lang en): the listing as it always was', () => {
    const r = run(['interfaces']);
    expect(r.status, r.stderr).toBe(0);
    expect(run(['interfaces', '--lang', 'en']).stdout).toBe(r.stdout);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('  NAME     STATE  ADDRESSES');
    expect(lines[1]).toBe('  fake0    -      192.0.2.1/24');
    expect(lines[2]).toBe('  denied0  -      (refuses to open)');
    expect(r.stdout).toMatch(/\n\* = default for wirewhy capture\ncapture: (permitted \(.+\)|not permitted \(.+\); run it as root .+)\nbinding: wirewhy's \(fake-pcap \(wirewhy test stand-in\)\), kernel timestamps\nkernel drop counter: pcap_stats\(\) \(ps_drop, ps_ifdrop\)\n$/);
  });

  it('Chinese: every line in Chinese, columns aligned as a terminal shows them', () => {
    const r = run(['interfaces', '--lang', 'zh']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('  名称     状态  地址');
    expect(lines[1]).toBe('  fake0    -     192.0.2.1/24');
    expect(lines[2]).toBe('  denied0  -     （libpcap 的说明：“refuses to open”）');
    expect(r.stdout).toMatch(/\n\* = `wirewhy capture` 默认使用的网卡\n抓包：(允许|不允许)（.+）.*\n绑定模块：wirewhy 自己的（“fake-pcap \(wirewhy test stand-in\)”），时间戳由内核给出\n内核丢包计数：`pcap_stats\(\) \(ps_drop, ps_ifdrop\)`\n$/);
    chinese(r.stdout, 'fake0 denied0');
  });

  it('JSON: how and fix in the language asked for, the rest (via) the same', () => {
    const en = JSON.parse(run(['interfaces', '--format', 'json']).stdout) as { capture: Record<string, unknown>; interfaces: unknown[] };
    const zh = JSON.parse(run(['interfaces', '--format', 'json', '--lang', 'zh']).stdout) as typeof en;
    expect(zh.interfaces).toEqual(en.interfaces);
    expect(zh.capture['via']).toBe(en.capture['via']);
    expect(en.capture['how']).toBe(permissionHowText(en.capture['via'] as PermissionVia, process.geteuid?.() ?? null, 'en'));
    expect(zh.capture['how']).toMatch(HAN);
  });

  it('the permission and the listing words, every case, in both languages', () => {
    const vias: PermissionVia[] = ['root', 'caps', 'cap_net_raw', 'no_cap_net_raw', 'unknown'];
    // The English is what capturePermission always said.
    expect(vias.map((v) => permissionHowText(v, 1000, 'en'))).toEqual(['root', 'capabilities cap_net_raw,cap_net_admin', 'capability cap_net_raw', 'user 1000 without CAP_NET_RAW', 'unknown (no /proc/self/status)']);
    for (const v of vias) chinese(permissionHowText(v, 1000, 'zh'));
    expect(permissionHowText('no_cap_net_raw', 1000, 'zh')).toBe('用户 1000 没有 CAP_NET_RAW 权能');
    const W = interfacesWords('zh');
    const fix = permissionFixText({ node: '/usr/bin/node', script: '/x/native/grant-capture.sh' }, 'zh');
    const line = W.notPermitted(permissionHowText('no_cap_net_raw', 1000, 'zh'), fix);
    expect(line).toMatch(/^抓包：不允许（用户 1000 没有 CAP_NET_RAW 权能）；请以 root 用户身份运行/);
    chinese(line);
    chinese([W.up, W.upNoCarrier, W.down, W.loopback, W.bindingCap('/opt/wirewhy'), W.dropCounter(null), W.dropCounter('/opt/wirewhy/native/sockstats')].join('\n'));
  });

  it('no binding: one Chinese line, exit status 2 (English as before)', () => {
    const miss = { WIREWHY_CAP_MODULE: '/nonexistent/wirewhy-test/cap' };
    const en = run(['interfaces'], miss);
    expect(en.status).toBe(2);
    expect(en.stderr).toMatch(/^wirewhy: live capture needs wirewhy's libpcap binding, which is not built \(Cannot find module '\/nonexistent\/wirewhy-test\/cap'\); build it: .*\n$/);
    const zh = run(['interfaces', '--lang', 'zh'], miss);
    expect(zh.status).toBe(2);
    expect(zh.stdout).toBe('');
    const lines = zh.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^wirewhy: 实时抓包需要 wirewhy 的 libpcap 绑定模块，但它还没有构建（加载器报告：“Cannot find module '\/nonexistent\/wirewhy-test\/cap'”）；请构建它：`sudo apt-get install/);
    chinese(lines[0]!, 'native/README.md');
  });
});
