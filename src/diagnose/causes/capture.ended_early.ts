/**
 * capture.ended_early: the capture stopped before the exchange could be answered or time out
 * (details: seconds after the last packet).
 */
import { defineCause } from '../cause.js';

export default defineCause({
  code: 'capture.ended_early',
  layer: 'capture',
  severity: 'warning',
  live: 'end',
  rules: [],
  planned: 'issue 20',
  words: {
    en: {
      summary: '{target}: the capture stopped {waited} s after the last attempt, too soon to tell',
      explanation:
        'The capture ended {waited} s after the client\'s last packet to {target}, before an answer could be expected or the client would retry: nothing can be concluded about this exchange from it.',
      advice: [
        'Capture longer: keep the capture running until the program reports its error or gives up (`tcpdump -G` / `-W` rotate files without stopping).',
        'If the program itself timed out this fast, check its connect and read timeouts.',
      ],
    },
    zh: {
      summary: '{target}：最后一次尝试后 {waited} 秒抓包就停止了，为时过早，无法判断',
      explanation:
        '抓包在客户端发往 {target} 的最后一个数据包之后 {waited} 秒就结束了，早于可以预期的应答或客户端的重试：据此无法对这次交互下任何结论。',
      advice: [
        '延长抓包时间：一直抓到程序报错或放弃为止（`tcpdump -G` / `-W` 可轮换文件而不停止抓包）。',
        '如果程序本身这么快就超时了，检查其连接超时和读取超时设置。',
      ],
    },
  },
});
