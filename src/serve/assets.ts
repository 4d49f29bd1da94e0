/**
 * The upload page: one HTML document, one script, one style sheet, an icon. All served by the
 * server itself (no CDN, no inline script or style: the page's CSP is `script-src 'self';
 * style-src 'self'`). Kept as strings in a module so that `tsc` alone builds the package.
 * The script is plain ES2017 for current browsers; it must not contain backticks or "${".
 */

export interface PageOptions {
  maxUploadBytes: number;
}

export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f4e79"/><path d="M3 11l3-6 2 4 2-3 3 5" stroke="#fff" stroke-width="1.6" fill="none"/></svg>';

export function pageHtml(o: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>wirewhy</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app.css">
<link rel="stylesheet" href="/report.css">
<script src="/app.js" defer></script>
</head>
<body data-max-upload="${Math.floor(o.maxUploadBytes)}">
<header class="top">
  <h1>wirewhy</h1>
  <p class="tagline" data-i18n="tagline">Where and why a network connection failed, from a packet capture.</p>
  <nav class="lang" aria-label="Language">
    <button type="button" data-lang="en" lang="en">English</button>
    <button type="button" data-lang="zh" lang="zh">中文</button>
  </nav>
</header>
<main>
  <section id="drop" class="drop" aria-labelledby="drop-title">
    <p id="drop-title" class="drop-title" data-i18n="dropHere">Drop a capture file here</p>
    <p class="or" data-i18n="or">or</p>
    <label class="button primary" for="file"><span data-i18n="choose">Choose a file…</span></label>
    <input type="file" id="file" class="visually-hidden" accept=".pcap,.pcapng,.cap,.dmp,.gz,application/vnd.tcpdump.pcap,application/gzip">
    <p class="small"><span data-i18n="formats">pcap or pcapng, optionally gzip-compressed; at most</span> <span id="max-size"></span></p>
    <p class="small"><label><input type="checkbox" id="all"> <span data-i18n="all">Also list targets that worked</span></label></p>
  </section>
  <section id="progress" class="progress" hidden>
    <p id="file-name" class="file-name"></p>
    <progress id="bar" max="100"></progress>
    <p id="status" role="status" aria-live="polite"></p>
  </section>
  <section id="error" class="error" role="alert" hidden>
    <p id="error-title" class="error-title"></p>
    <p id="error-detail"></p>
    <p id="error-hint" class="hint"></p>
  </section>
  <section id="result" hidden>
    <div class="toolbar" role="toolbar">
      <button type="button" id="dl-md" data-i18n="dlMd">Download Markdown</button>
      <button type="button" id="dl-json" data-i18n="dlJson">Download JSON</button>
      <button type="button" id="dl-html" data-i18n="dlHtml">Download HTML</button>
      <button type="button" id="copy-md" data-i18n="copyMd">Copy Markdown</button>
      <button type="button" id="again" data-i18n="again">Analyze another capture</button>
      <span id="copied" class="copied" role="status" aria-live="polite"></span>
    </div>
    <p id="damage" class="warning" hidden></p>
    <div id="report" class="report-host"></div>
  </section>
</main>
<footer><p data-i18n="privacy">The capture is analyzed in memory on this server and is not stored; the report stays in this page until you download it.</p></footer>
</body>
</html>
`;
}

export const APP_CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de; --accent: #1f4e79; --accent-fg: #fff; --err: #b42318; --err-bg: #fef3f2; --warn-bg: #fff8e1; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8b949e; --line: #30363d; --accent: #4d8ccf; --accent-fg: #0d1117; --err: #ff7b72; --err-bg: #2d1214; --warn-bg: #2b2410; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1rem; padding: 0.75rem 1.5rem; border-bottom: 1px solid var(--line); }
header.top h1 { margin: 0; font-size: 1.4rem; }
.tagline { margin: 0; color: var(--muted); flex: 1; }
.lang button { background: none; border: 1px solid var(--line); color: var(--fg); padding: 0.15rem 0.6rem; border-radius: 4px; cursor: pointer; }
.lang button[aria-pressed="true"] { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
.drop { border: 2px dashed var(--line); border-radius: 10px; padding: 2rem 1rem; text-align: center; }
.drop.over { border-color: var(--accent); background: color-mix(in srgb, var(--accent) 8%, transparent); }
.drop-title { font-size: 1.2rem; margin: 0; }
.or { margin: 0.3rem 0; color: var(--muted); }
.small { color: var(--muted); font-size: 0.9rem; margin: 0.5rem 0 0; }
.button, button { display: inline-block; font: inherit; padding: 0.4rem 0.9rem; border-radius: 6px; border: 1px solid var(--line); background: transparent; color: var(--fg); cursor: pointer; }
.button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
button:hover, .button:hover { border-color: var(--accent); }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.progress { margin: 1.5rem 0; }
.progress progress { width: 100%; height: 1rem; }
.file-name { font-weight: 600; margin: 0 0 0.3rem; word-break: break-all; }
.error { margin: 1.5rem 0; padding: 0.8rem 1rem; border: 1px solid var(--err); background: var(--err-bg); border-radius: 8px; }
.error-title { font-weight: 600; color: var(--err); margin: 0; }
.error .hint { color: var(--muted); }
.warning { padding: 0.6rem 1rem; background: var(--warn-bg); border-radius: 6px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 1.5rem 0 1rem; }
.copied { color: var(--muted); }
.report-host { background: #fff; color: #1f2328; color-scheme: light; border-radius: 8px; }
.report-host pre.raw { white-space: pre-wrap; word-break: break-word; font-size: 0.85rem; }
footer { max-width: 1100px; margin: 0 auto; padding: 0 1.5rem 2rem; color: var(--muted); font-size: 0.85rem; }
[hidden] { display: none !important; }
`;

export const APP_JS = String.raw`'use strict';
(function () {
  var STRINGS = {
    en: {
      tagline: 'Where and why a network connection failed, from a packet capture.',
      dropHere: 'Drop a capture file here', or: 'or', choose: 'Choose a file\u2026',
      formats: 'pcap or pcapng, optionally gzip-compressed; at most',
      all: 'Also list targets that worked',
      dlMd: 'Download Markdown', dlJson: 'Download JSON', dlHtml: 'Download HTML', copyMd: 'Copy Markdown', again: 'Analyze another capture',
      privacy: 'The capture is analyzed in memory on this server and is not stored; the report stays in this page until you download it.',
      uploading: 'Uploading\u2026 {pct}% of {size}', analyzing: 'Analyzing\u2026', busy: 'The server is busy; trying again in {s} s\u2026',
      copied: 'Markdown copied to the clipboard', copyFailed: 'Could not copy; use Download Markdown instead',
      damaged: 'The capture is damaged part-way; the report covers what was read before the damage: ',
      noRenderer: 'The report could not be shown in this browser',
      e400: 'The upload was refused', e408: 'The upload took too long', e413: 'The capture is too large', e415: 'This is not a capture file',
      e422: 'The capture cannot be read', e503: 'The server is busy or restarting', e504: 'The analysis took too long', e500: 'The server failed',
      eNet: 'The connection to the server failed', eNetDetail: 'Check that the server is still running and try again.',
      tooBig: 'The file is {size}; this server accepts at most {max}.',
      tooBigHint: 'Cut the capture first (editcap -c, or tshark -r IN -w OUT with a display filter), or compress it with gzip.',
      mb: 'MB'
    },
    zh: {
      tagline: '\u4ece\u6293\u5305\u6587\u4ef6\u627e\u51fa\u7f51\u7edc\u8fde\u63a5\u5728\u54ea\u91cc\u3001\u4e3a\u4ec0\u4e48\u5931\u8d25\u3002',
      dropHere: '\u628a\u6293\u5305\u6587\u4ef6\u62d6\u5230\u8fd9\u91cc', or: '\u6216\u8005', choose: '\u9009\u62e9\u6587\u4ef6\u2026',
      formats: 'pcap \u6216 pcapng\uff0c\u53ef\u7528 gzip \u538b\u7f29\uff1b\u6700\u5927',
      all: '\u540c\u65f6\u5217\u51fa\u6b63\u5e38\u7684\u76ee\u6807',
      dlMd: '\u4e0b\u8f7d Markdown', dlJson: '\u4e0b\u8f7d JSON', dlHtml: '\u4e0b\u8f7d HTML', copyMd: '\u590d\u5236 Markdown', again: '\u5206\u6790\u53e6\u4e00\u4e2a\u6293\u5305',
      privacy: '\u6293\u5305\u6587\u4ef6\u53ea\u5728\u672c\u670d\u52a1\u5668\u5185\u5b58\u4e2d\u5206\u6790\uff0c\u4e0d\u4f1a\u4fdd\u5b58\uff1b\u62a5\u544a\u53ea\u7559\u5728\u672c\u9875\u9762\uff0c\u76f4\u5230\u60a8\u4e0b\u8f7d\u3002',
      uploading: '\u6b63\u5728\u4e0a\u4f20\u2026 {size} \u7684 {pct}%', analyzing: '\u6b63\u5728\u5206\u6790\u2026', busy: '\u670d\u52a1\u5668\u7e41\u5fd9\uff0c{s} \u79d2\u540e\u91cd\u8bd5\u2026',
      copied: 'Markdown \u5df2\u590d\u5236\u5230\u526a\u8d34\u677f', copyFailed: '\u65e0\u6cd5\u590d\u5236\uff0c\u8bf7\u6539\u7528\u201c\u4e0b\u8f7d Markdown\u201d',
      damaged: '\u6293\u5305\u6587\u4ef6\u4e2d\u9014\u635f\u574f\uff1b\u62a5\u544a\u53ea\u5305\u542b\u635f\u574f\u4e4b\u524d\u8bfb\u5230\u7684\u5185\u5bb9\uff1a',
      noRenderer: '\u65e0\u6cd5\u5728\u6b64\u6d4f\u89c8\u5668\u4e2d\u663e\u793a\u62a5\u544a',
      e400: '\u4e0a\u4f20\u88ab\u62d2\u7edd', e408: '\u4e0a\u4f20\u65f6\u95f4\u8fc7\u957f', e413: '\u6293\u5305\u6587\u4ef6\u592a\u5927', e415: '\u8fd9\u4e0d\u662f\u6293\u5305\u6587\u4ef6',
      e422: '\u65e0\u6cd5\u8bfb\u53d6\u6293\u5305\u6587\u4ef6', e503: '\u670d\u52a1\u5668\u7e41\u5fd9\u6216\u6b63\u5728\u91cd\u542f', e504: '\u5206\u6790\u65f6\u95f4\u8fc7\u957f', e500: '\u670d\u52a1\u5668\u51fa\u9519',
      eNet: '\u8fde\u63a5\u670d\u52a1\u5668\u5931\u8d25', eNetDetail: '\u8bf7\u786e\u8ba4\u670d\u52a1\u5668\u4ecd\u5728\u8fd0\u884c\u540e\u91cd\u8bd5\u3002',
      tooBig: '\u6587\u4ef6\u5927\u5c0f {size}\uff1b\u672c\u670d\u52a1\u5668\u6700\u591a\u63a5\u53d7 {max}\u3002',
      tooBigHint: '\u8bf7\u5148\u88c1\u526a\u6293\u5305\uff08editcap -c\uff0c\u6216 tshark -r IN -w OUT \u52a0\u663e\u793a\u8fc7\u6ee4\u5668\uff09\uff0c\u6216\u7528 gzip \u538b\u7f29\u3002',
      mb: 'MB'
    }
  };
  var MAX_RETRIES = 5;

  function $(id) { return document.getElementById(id); }
  var lang = pickLang();
  var maxUpload = Number(document.body.getAttribute('data-max-upload')) || 0;
  var current = null; // { file, bundle, out }: the upload, the server's answer, its rendering in the page's language
  var renderer = null; // the report renderers (a promise of report/web.js), loaded once

  function pickLang() {
    var q = new URLSearchParams(location.search).get('lang');
    if (q === 'en' || q === 'zh') return q;
    try {
      var s = localStorage.getItem('wirewhy.lang');
      if (s === 'en' || s === 'zh') return s;
    } catch (e) { /* storage may be disabled */ }
    return (navigator.language || '').toLowerCase().indexOf('zh') === 0 ? 'zh' : 'en';
  }
  function t(key, vars) {
    var s = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }
  function mb(n) { return (Math.round(n / 104857.6) / 10) + ' ' + t('mb'); }

  function applyLang() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    var els = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < els.length; i++) els[i].textContent = t(els[i].getAttribute('data-i18n'));
    var btns = document.querySelectorAll('[data-lang]');
    for (var j = 0; j < btns.length; j++) btns[j].setAttribute('aria-pressed', String(btns[j].getAttribute('data-lang') === lang));
    $('max-size').textContent = maxUpload ? mb(maxUpload) : '';
  }

  function show(section) {
    ['drop', 'progress', 'error', 'result'].forEach(function (id) { $(id).hidden = section.indexOf(id) < 0; });
  }

  function showError(status, detail, hint) {
    var key = status === 0 ? 'eNet' : 'e' + status;
    $('error-title').textContent = STRINGS.en[key] ? t(key) : t('e500') + ' (' + status + ')';
    $('error-detail').textContent = detail || (status === 0 ? t('eNetDetail') : '');
    $('error-hint').textContent = hint || '';
    show(['drop', 'error']);
  }

  function upload(file, attempt) {
    if (maxUpload && file.size > maxUpload) {
      showError(413, t('tooBig', { size: mb(file.size), max: mb(maxUpload) }), t('tooBigHint'));
      return;
    }
    current = { file: file, bundle: null, out: null };
    $('file-name').textContent = file.name;
    $('bar').value = 0;
    $('bar').max = 100;
    $('status').textContent = t('uploading', { pct: 0, size: mb(file.size) });
    show(['progress']);
    // The report comes back language-free; lang words the server's error answers, if any.
    var params = new URLSearchParams({ format: 'bundle', name: file.name, lang: lang });
    if ($('all').checked) params.set('all', '1');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/analyze?' + params.toString());
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.responseType = 'text';
    xhr.upload.onprogress = function (ev) {
      if (!ev.lengthComputable) return;
      var pct = Math.floor((ev.loaded / ev.total) * 100);
      $('bar').value = pct;
      $('status').textContent = t('uploading', { pct: pct, size: mb(ev.total) });
    };
    xhr.upload.onload = function () {
      $('bar').removeAttribute('value'); // indeterminate while the server finishes
      $('status').textContent = t('analyzing');
    };
    xhr.onerror = function () { showError(0, '', ''); };
    xhr.onload = function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 503 && (attempt || 0) < MAX_RETRIES && xhr.getResponseHeader('Retry-After')) {
        var s = Math.max(1, Math.min(30, Number(xhr.getResponseHeader('Retry-After')) || 1));
        $('status').textContent = t('busy', { s: s });
        setTimeout(function () { upload(file, (attempt || 0) + 1); }, s * 1000);
        return;
      }
      if (xhr.status !== 200 || !body) {
        showError(xhr.status, body && body.error, body && body.hint);
        return;
      }
      current.bundle = body;
      showReport(body);
    };
    xhr.send(file);
  }

  // The server answers the report itself (language-free); the page words it in the language the
  // reader picks, with the same renderers as wirewhy analyze (report/web.js), as often as asked.
  function loadRenderer() {
    if (!renderer) renderer = import('/lib/report/web.js');
    return renderer;
  }

  function showReport(b) {
    return loadRenderer().then(function (m) {
      if (!current || current.bundle !== b) return; // another upload meanwhile
      var out = m.renderForPage(b.report, lang);
      current.out = out;
      // The HTML renderer escapes every value taken from the capture.
      $('report').innerHTML = out.fragment;
      $('damage').hidden = !out.damage;
      $('damage').textContent = out.damage ? t('damaged') + out.damage : '';
      $('copied').textContent = '';
      show(['result']);
    }, function (e) {
      renderer = null;
      showError(500, t('noRenderer') + ' (' + (e && e.message ? e.message : String(e)) + ')', '');
    });
  }

  function baseName() {
    var n = (current && current.file && current.file.name) || 'capture';
    return n.replace(/\.gz$/i, '').replace(/\.(pcapng|pcap|cap|dmp)$/i, '') || 'capture';
  }
  function download(text, type, ext) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = document.createElement('a');
    a.href = url;
    a.download = baseName() + '.wirewhy.' + ext;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function copyMarkdown() {
    var md = current && current.out && current.out.md;
    if (!md) return;
    var done = function () { $('copied').textContent = t('copied'); };
    var fallback = function () {
      var ta = document.createElement('textarea');
      ta.value = md;
      ta.setAttribute('readonly', '');
      ta.className = 'visually-hidden';
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      ta.remove();
      $('copied').textContent = ok ? t('copied') : t('copyFailed');
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(md).then(done, fallback);
    else fallback();
  }

  function init() {
    applyLang();
    var drop = $('drop');
    $('file').addEventListener('change', function () {
      var f = $('file').files && $('file').files[0];
      if (f) upload(f, 0);
      $('file').value = '';
    });
    ['dragenter', 'dragover'].forEach(function (ev) {
      document.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add('over'); });
    });
    ['dragleave', 'dragend'].forEach(function (ev) {
      document.addEventListener(ev, function () { drop.classList.remove('over'); });
    });
    document.addEventListener('drop', function (e) {
      e.preventDefault();
      drop.classList.remove('over');
      var f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
      if (f) upload(f, 0);
    });
    $('dl-md').addEventListener('click', function () { if (current && current.out) download(current.out.md, 'text/markdown;charset=utf-8', 'md'); });
    $('dl-json').addEventListener('click', function () { if (current && current.out) download(current.out.json, 'application/json;charset=utf-8', 'json'); });
    $('dl-html').addEventListener('click', function () { if (current && current.out) download(current.out.html, 'text/html;charset=utf-8', 'html'); });
    $('copy-md').addEventListener('click', copyMarkdown);
    $('again').addEventListener('click', function () { current = null; $('report').textContent = ''; show(['drop']); });
    var btns = document.querySelectorAll('[data-lang]');
    for (var i = 0; i < btns.length; i++) {
      btns[i].addEventListener('click', function (e) {
        var l = e.currentTarget.getAttribute('data-lang');
        if (l === lang) return;
        lang = l;
        try { localStorage.setItem('wirewhy.lang', lang); } catch (err) { /* ignore */ }
        applyLang();
        // The report is language-free: render it again in the new language (no second upload).
        if (current && current.bundle) showReport(current.bundle);
      });
    }
    show(['drop']);
  }
  init();
})();
`;
