/**
 * The words of the live-capture errors (capture/live.ts LiveError), in both report languages: an
 * error is made as a typed reason (a kind and what was found: the interface, libpcap's message,
 * the interfaces there are...) and worded when shown (`wirewhy capture` and `wirewhy interfaces`
 * print one line), in the language asked for. The English is the words these errors always had.
 * libpcap's, Node's and the loader's own messages are quoted as they are: they exist only in English.
 */
import type { Lang } from '../lang.js';
import type { Args } from '../facts.js';

export type LiveErrorKind =
  | 'no_libpcap' | 'no_binding' | 'list_failed' | 'no_up_interface' | 'unknown_interface'
  | 'not_permitted' | 'cannot_capture' | 'bad_filter' | 'open_failed';

export interface LiveReason {
  readonly kind: LiveErrorKind;
  readonly args: Args;
}

const INSTALL = 'sudo apt-get install libpcap-dev build-essential python3';

const s = (a: Args, k: string): string => String(a[k] ?? '?');
const names = (a: Args): string => ((a['names'] as string[] | undefined) ?? []).join(', ');

/** How to be allowed to capture: args node (the node binary), script (native/grant-capture.sh). */
export function permissionFixText(a: Args, lang: Lang): string {
  return lang === 'en'
    ? `run it as root (sudo), or let node capture: sudo setcap cap_net_raw,cap_net_admin=eip ${s(a, 'node')} (or: sudo bash ${s(a, 'script')})`
    : `请以 root 用户身份运行（sudo），或允许 \`node\` 抓包：\`sudo setcap cap_net_raw,cap_net_admin=eip ${s(a, 'node')}\`（或者：\`sudo bash ${s(a, 'script')}\`）`;
}

interface Text {
  message: string;
  hint: string;
}
type Words = { readonly [L in Lang]: (a: Args) => Text };

const WORDS: Readonly<Record<LiveErrorKind, Words>> = {
  no_libpcap: {
    en: (a) => ({
      message: `live capture needs libpcap, which is not installed (${s(a, 'lib')})`,
      hint: `install it: sudo apt-get install libpcap0.8 (and libpcap-dev to rebuild the binding: cd ${s(a, 'root')} && npm run build:native)`,
    }),
    zh: (a) => ({
      message: `实时抓包需要 libpcap，但系统中没有安装（加载器报告：“${s(a, 'lib')}”）`,
      hint: `请安装：\`sudo apt-get install libpcap0.8\`（要重新构建绑定模块，还需要 libpcap-dev：\`cd ${s(a, 'root')} && npm run build:native\`）`,
    }),
  },
  no_binding: {
    en: (a) => ({
      message: `live capture needs wirewhy's libpcap binding, which is not built (${a['why'] ? s(a, 'why') : `${s(a, 'path')} is not there, nor the npm 'cap' package`})`,
      hint: `build it: ${INSTALL} && cd ${s(a, 'root')} && npm run build:native (native/README.md)`,
    }),
    zh: (a) => ({
      message: `实时抓包需要 wirewhy 的 libpcap 绑定模块，但它还没有构建（${a['why'] ? `加载器报告：“${s(a, 'why')}”` : `${s(a, 'path')} 不存在，也没有 npm 包 \`cap\``}）`,
      hint: `请构建它：\`${INSTALL} && cd ${s(a, 'root')} && npm run build:native\`（见 native/README.md）`,
    }),
  },
  list_failed: {
    en: (a) => ({ message: `libpcap could not list the interfaces (${s(a, 'message')})`, hint: 'check that /sys and /proc are mounted' }),
    zh: (a) => ({ message: `libpcap 无法列出网卡（libpcap 报告：“${s(a, 'message')}”）`, hint: '请检查 `/sys` 和 `/proc` 是否已挂载' }),
  },
  no_up_interface: {
    en: (a) => ({ message: 'no interface is up apart from loopback', hint: `name one with -i (capture interfaces: ${names(a) || 'none'})` }),
    zh: (a) => ({ message: '除了环回网卡，没有已启用的网卡', hint: `请用 \`-i\` 指定一个（可抓包的网卡：${names(a).replace(/, /g, '、') || '无'}）` }),
  },
  unknown_interface: {
    en: (a) => ({
      message: `there is no capture interface named '${s(a, 'name')}'`,
      hint: `use one of: ${names(a) || '(none found)'} (wirewhy interfaces lists them with their addresses)`,
    }),
    zh: (a) => ({
      message: `没有名为 '${s(a, 'name')}' 的抓包网卡`,
      hint: `请使用其中之一：${names(a).replace(/, /g, '、') || '（一个也没有找到）'}（\`wirewhy interfaces\` 会列出它们及其地址）`,
    }),
  },
  not_permitted: {
    en: (a) => ({ message: `not permitted to capture on ${s(a, 'iface')} (${s(a, 'message')})`, hint: permissionFixText(a, 'en') }),
    zh: (a) => ({ message: `没有在 ${s(a, 'iface')} 上抓包的权限（libpcap 报告：“${s(a, 'message')}”）`, hint: permissionFixText(a, 'zh') }),
  },
  cannot_capture: {
    en: (a) => ({ message: `cannot capture on ${s(a, 'iface')} (${s(a, 'message')})`, hint: 'check the name and that the interface is up (wirewhy interfaces)' }),
    zh: (a) => ({ message: `无法在 ${s(a, 'iface')} 上抓包（libpcap 报告：“${s(a, 'message')}”）`, hint: '请检查网卡名称，以及网卡是否已启用（`wirewhy interfaces`）' }),
  },
  bad_filter: {
    en: (a) => ({ message: `bad capture filter '${s(a, 'filter')}': ${s(a, 'message')}`, hint: "-f takes libpcap filter syntax (man 7 pcap-filter), e.g. -f 'tcp port 443 or udp port 53'" }),
    zh: (a) => ({ message: `抓包过滤器 '${s(a, 'filter')}' 有误（libpcap 报告：“${s(a, 'message')}”）`, hint: "`-f` 使用 libpcap 的过滤器语法（`man 7 pcap-filter`），例如 `-f 'tcp port 443 or udp port 53'`" }),
  },
  open_failed: {
    en: (a) => ({ message: `cannot capture on ${s(a, 'iface')} (${s(a, 'message')})`, hint: 'check that the interface exists and is up, and the permissions (node native/check.mjs)' }),
    zh: (a) => ({ message: `无法在 ${s(a, 'iface')} 上抓包（libpcap 报告：“${s(a, 'message')}”）`, hint: '请检查网卡是否存在并已启用，以及权限（`node native/check.mjs`）' }),
  },
};

/** Every kind with words (tests check each in both languages). */
export const LIVE_ERROR_KINDS = Object.keys(WORDS) as LiveErrorKind[];

export function liveErrorText(r: LiveReason, lang: Lang): Text {
  const w = WORDS[r.kind];
  return w ? w[lang](r.args) : { message: `${r.kind} ${JSON.stringify(r.args)}`, hint: '' };
}

// ---- `wirewhy interfaces` -----------------------------------------------------------------------

/** How this process may capture, or why it may not (capture/live.ts capturePermission). */
export type PermissionVia = 'root' | 'caps' | 'cap_net_raw' | 'no_cap_net_raw' | 'unknown';

/** The permission in words: "root", "capability cap_net_raw", "user 1000 without CAP_NET_RAW"... */
export function permissionHowText(via: PermissionVia, uid: number | null, lang: Lang): string {
  const u = uid ?? '?';
  if (lang === 'zh') {
    switch (via) {
      case 'root': return 'root 用户';
      case 'caps': return '拥有 cap_net_raw 和 cap_net_admin 权能';
      case 'cap_net_raw': return '拥有 cap_net_raw 权能';
      case 'no_cap_net_raw': return `用户 ${u} 没有 CAP_NET_RAW 权能`;
      default: return '无法确定（没有 /proc/self/status）';
    }
  }
  switch (via) {
    case 'root': return 'root';
    case 'caps': return 'capabilities cap_net_raw,cap_net_admin';
    case 'cap_net_raw': return 'capability cap_net_raw';
    case 'no_cap_net_raw': return `user ${u} without CAP_NET_RAW`;
    default: return 'unknown (no /proc/self/status)';
  }
}

/** The words of the `wirewhy interfaces` table. The English is the words it always had. */
export interface InterfacesWords {
  readonly head: readonly [string, string, string];
  readonly up: string;
  readonly upNoCarrier: string;
  readonly down: string;
  readonly loopback: string;
  /** libpcap's description of an interface without addresses (libpcap's words, quoted). */
  description(d: string): string;
  /** Separates the addresses of one interface. */
  readonly comma: string;
  readonly defaultNote: string;
  permitted(how: string): string;
  notPermitted(how: string, fix: string): string;
  bindingOwn(libpcap: string | null): string;
  bindingCap(root: string): string;
  dropCounter(how: string | null): string;
}

const INTERFACES: { readonly [L in Lang]: InterfacesWords } = {
  en: {
    head: ['NAME', 'STATE', 'ADDRESSES'],
    up: 'up',
    upNoCarrier: 'up, no carrier',
    down: 'down',
    loopback: '(loopback)',
    description: (d) => `(${d})`,
    comma: ', ',
    defaultNote: '* = default for wirewhy capture',
    permitted: (how) => `capture: permitted (${how})`,
    notPermitted: (how, fix) => `capture: not permitted (${how}); ${fix}`,
    bindingOwn: (lib) => `binding: wirewhy's (${lib ?? 'libpcap'}), kernel timestamps`,
    bindingCap: (root) => `binding: the npm 'cap' fallback, timestamps on arrival (build wirewhy's: cd ${root} && npm run build:native)`,
    dropCounter: (how) => `kernel drop counter: ${how ?? 'unavailable (run native/build.sh)'}`,
  },
  zh: {
    head: ['名称', '状态', '地址'],
    up: '已启用',
    upNoCarrier: '已启用，无载波',
    down: '未启用',
    loopback: '（环回）',
    description: (d) => `（libpcap 的说明：“${d}”）`,
    comma: '、',
    defaultNote: '* = `wirewhy capture` 默认使用的网卡',
    permitted: (how) => `抓包：允许（${how}）`,
    notPermitted: (how, fix) => `抓包：不允许（${how}）；${fix}`,
    bindingOwn: (lib) => `绑定模块：wirewhy 自己的（${lib === null ? 'libpcap' : `“${lib}”`}），时间戳由内核给出`,
    bindingCap: (root) => `绑定模块：后备的 npm 包 \`cap\`，时间戳取自数据包到达的时刻（要构建 wirewhy 自己的：\`cd ${root} && npm run build:native\`）`,
    dropCounter: (how) => `内核丢包计数：${how === null ? '无法获取（请运行 `native/build.sh`）' : `\`${how}\``}`,
  },
};

export function interfacesWords(lang: Lang): InterfacesWords {
  return INTERFACES[lang];
}
