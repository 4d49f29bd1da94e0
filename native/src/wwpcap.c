/*
 * wwpcap: wirewhy's own binding to libpcap, in C over Node-API (no C++ helper library).
 * What it is for and why it looks this way: native/README.md.
 *
 * JavaScript sees:
 *   version()                          libpcap's version string
 *   devices()                          [{ name, description, flags, addresses: [{ addr, netmask, broadaddr, dstaddr }] }]
 *   new Capture(options, ring, onBatch)
 *     options   { device, filter, snaplen, bufferSize, timeoutMs, immediate, promisc, nano }
 *     ring      an ArrayBuffer the packets of one batch are written into
 *     onBatch   called on the JavaScript thread as onBatch(count, bytes) after each batch, or
 *               onBatch(-1, 0, message) when libpcap fails while reading
 *     .linkType .linkTypeName .snaplen .tsDigits (9 or 6) .warning (string or null)
 *     .stats()  { received, dropped, ifDropped } from pcap_stats() (after close, the last read), and
 *               lost: packets the binding could not hand over (a record larger than the ring; 0)
 *     .close()  idempotent; safe from inside onBatch
 *
 * Record layout in the ring, little-endian u32 words, each record 4-byte aligned:
 *   [0] seconds  [1] nanoseconds  [2] captured length  [3] wire length  [4..] bytes (padded to 4)
 *
 * Ownership (the reason the old binding crashed, see README): the native state is freed only
 * when BOTH libuv has finished closing the poll handle AND the JavaScript object has been
 * collected; the finalizer itself only frees memory (no call into Node or V8). While the capture
 * is open, a strong reference keeps the JavaScript object (and its callback and ring) alive.
 */
#include <node_api.h>
#include <uv.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define REC_HDR 16u
#define MAX_BATCHES_PER_WAKEUP 16

typedef struct ww_cap {
  napi_env env;
  pcap_t *p;
  uv_poll_t poll;
  int poll_started;
  napi_ref self_ref;  /* strong while open */
  napi_ref cb_ref;
  napi_ref ring_ref;
  napi_async_context actx;
  uint8_t *ring;
  size_t ring_len;
  size_t used;
  uint32_t count;
  uint32_t rec_max;   /* largest record: header + snaplen rounded up to 4 */
  int nano;
  int in_dispatch;
  int closing;
  int closed;
  int uv_closed;      /* libuv no longer refers to `poll` */
  int js_gone;        /* the JavaScript object was collected */
  struct pcap_stat last;
  int have_last;
  uint64_t lost;      /* packets that did not fit a record (cannot happen: counted, never silent) */
} ww_cap;

/* ---- small helpers -------------------------------------------------------------------------- */

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) return NULL;                                                            \
  } while (0)

static napi_value throw_code(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

static int get_prop(napi_env env, napi_value obj, const char *key, napi_value *out) {
  bool has = false;
  if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has) return 0;
  if (napi_get_named_property(env, obj, key, out) != napi_ok) return 0;
  napi_valuetype t;
  napi_typeof(env, *out, &t);
  return t != napi_undefined && t != napi_null;
}

static int opt_int(napi_env env, napi_value o, const char *key, int64_t dflt, int64_t *out) {
  napi_value v;
  *out = dflt;
  if (!get_prop(env, o, key, &v)) return 1;
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return 0;
  *out = (int64_t)d;
  return 1;
}

static int opt_bool(napi_env env, napi_value o, const char *key, int dflt) {
  napi_value v;
  if (!get_prop(env, o, key, &v)) return dflt;
  bool b = dflt;
  napi_get_value_bool(env, v, &b);
  return b ? 1 : 0;
}

/* A string option into buf (NUL-terminated): 1, 0 when absent, -1 when not a string or too long
   (never cut: a cut filter would compile to another one). */
static int opt_str(napi_env env, napi_value o, const char *key, char *buf, size_t n) {
  napi_value v;
  size_t len = 0;
  buf[0] = 0;
  if (!get_prop(env, o, key, &v)) return 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok || len + 1 > n) return -1;
  if (napi_get_value_string_utf8(env, v, buf, n, &len) != napi_ok) return -1;
  return 1;
}

static void set_str(napi_env env, napi_value obj, const char *key, const char *s) {
  napi_value v;
  if (s == NULL) napi_get_null(env, &v);
  else napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, key, v);
}

static void set_num(napi_env env, napi_value obj, const char *key, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  napi_set_named_property(env, obj, key, v);
}

/* ---- devices ---------------------------------------------------------------------------------- */

static const char *addr_text(const struct sockaddr *sa, char *buf, size_t n) {
  if (sa == NULL) return NULL;
  if (sa->sa_family == AF_INET) return inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, n);
  if (sa->sa_family == AF_INET6) return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, n);
  return NULL;
}

static napi_value js_devices(napi_env env, napi_callback_info info) {
  (void)info;
  char err[PCAP_ERRBUF_SIZE];
  pcap_if_t *all = NULL;
  if (pcap_findalldevs(&all, err) == -1) return throw_code(env, "FINDALLDEVS", err);
  napi_value arr;
  if (napi_create_array(env, &arr) != napi_ok) {
    pcap_freealldevs(all);
    return NULL;
  }
  uint32_t i = 0;
  for (pcap_if_t *d = all; d != NULL; d = d->next) {
    napi_value dev, addrs;
    napi_create_object(env, &dev);
    set_str(env, dev, "name", d->name);
    set_str(env, dev, "description", d->description);
    set_num(env, dev, "flags", (double)d->flags);
    napi_create_array(env, &addrs);
    uint32_t j = 0;
    for (pcap_addr_t *a = d->addresses; a != NULL; a = a->next) {
      if (a->addr == NULL || (a->addr->sa_family != AF_INET && a->addr->sa_family != AF_INET6)) continue;
      char b[INET6_ADDRSTRLEN + 1];
      napi_value o;
      napi_create_object(env, &o);
      set_str(env, o, "addr", addr_text(a->addr, b, sizeof b));
      set_str(env, o, "netmask", addr_text(a->netmask, b, sizeof b));
      set_str(env, o, "broadaddr", addr_text(a->broadaddr, b, sizeof b));
      set_str(env, o, "dstaddr", addr_text(a->dstaddr, b, sizeof b));
      napi_set_element(env, addrs, j++, o);
    }
    napi_set_named_property(env, dev, "addresses", addrs);
    napi_set_element(env, arr, i++, dev);
  }
  pcap_freealldevs(all);
  return arr;
}

static napi_value js_version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  CHECK(napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &v));
  return v;
}

/* ---- capture ---------------------------------------------------------------------------------- */

static void maybe_free(ww_cap *c) {
  if (c->uv_closed && c->js_gone) free(c);
}

static void on_poll_closed(uv_handle_t *h) {
  ww_cap *c = (ww_cap *)h->data;
  c->uv_closed = 1;
  maybe_free(c);
}

/* Called by V8 when the JavaScript object is collected: memory only, nothing else. */
static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  ww_cap *c = (ww_cap *)data;
  c->js_gone = 1;
  maybe_free(c);
}

/* Stops reading and releases libpcap and the JavaScript references. Not inside pcap_dispatch. */
static void finish_close(ww_cap *c) {
  if (c->closed) return;
  c->closed = 1;
  if (c->p != NULL) {
    if (pcap_stats(c->p, &c->last) == 0) c->have_last = 1;
  }
  if (c->poll_started) {
    uv_poll_stop(&c->poll);
    uv_close((uv_handle_t *)&c->poll, on_poll_closed);
  } else {
    c->uv_closed = 1;
  }
  if (c->p != NULL) {
    pcap_close(c->p);
    c->p = NULL;
  }
  napi_env env = c->env;
  c->ring = NULL;
  c->ring_len = 0;
  if (c->cb_ref) {
    napi_delete_reference(env, c->cb_ref);
    c->cb_ref = NULL;
  }
  if (c->ring_ref) {
    napi_delete_reference(env, c->ring_ref);
    c->ring_ref = NULL;
  }
  if (c->actx) {
    napi_async_destroy(env, c->actx);
    c->actx = NULL;
  }
  if (c->self_ref) {
    /* From now on the JavaScript object lives only as long as JavaScript holds it. */
    napi_delete_reference(env, c->self_ref);
    c->self_ref = NULL;
  }
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  ww_cap *c = (ww_cap *)user;
  uint32_t cap = h->caplen;
  uint32_t padded = (cap + 3u) & ~3u;
  if (c->used + REC_HDR + padded > c->ring_len) {
    c->lost++; /* cannot happen: dispatch is bounded by room for records of the snapshot length */
    return;
  }
  uint32_t *w = (uint32_t *)(c->ring + c->used);
  w[0] = (uint32_t)h->ts.tv_sec;
  w[1] = c->nano ? (uint32_t)h->ts.tv_usec : (uint32_t)h->ts.tv_usec * 1000u;
  w[2] = cap;
  w[3] = h->len;
  memcpy(c->ring + c->used + REC_HDR, bytes, cap);
  if (padded > cap) memset(c->ring + c->used + REC_HDR + cap, 0, padded - cap);
  c->used += REC_HDR + padded;
  c->count++;
}

/* Calls onBatch(count, bytes) or onBatch(-1, 0, message) on the JavaScript thread. */
static void deliver(ww_cap *c, int32_t count, uint32_t bytes, const char *message) {
  napi_env env = c->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, self, argv[3];
  if (c->cb_ref && c->self_ref && napi_get_reference_value(env, c->cb_ref, &cb) == napi_ok &&
      napi_get_reference_value(env, c->self_ref, &self) == napi_ok) {
    napi_create_int32(env, count, &argv[0]);
    napi_create_uint32(env, bytes, &argv[1]);
    if (message) napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &argv[2]);
    else napi_get_undefined(env, &argv[2]);
    napi_value result;
    /* napi_make_callback: async hooks see the batch, and microtasks run after it. An exception
       thrown by onBatch goes to process 'uncaughtException' (wirewhy's handler never throws). */
    napi_status st = napi_make_callback(env, c->actx, self, cb, 3, argv, &result);
    if (st == napi_pending_exception) {
      napi_value e;
      napi_get_and_clear_last_exception(env, &e);
      napi_fatal_exception(env, e);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  ww_cap *c = (ww_cap *)h->data;
  if (c->closing || c->p == NULL) return;
  if (status < 0) {
    deliver(c, -1, 0, uv_strerror(status));
    return;
  }
  c->in_dispatch = 1;
  for (int b = 0; b < MAX_BATCHES_PER_WAKEUP && !c->closing; b++) {
    c->used = 0;
    c->count = 0;
    int more = 0;
    const char *fail = NULL;
    for (;;) {
      size_t room = c->ring_len - c->used;
      int max = (int)(room / c->rec_max);
      if (max <= 0) {
        more = 1; /* the ring is full: hand it over, then read on */
        break;
      }
      int n = pcap_dispatch(c->p, max, on_packet, (u_char *)c);
      if (n == PCAP_ERROR_BREAK) break;
      if (n < 0) {
        fail = pcap_geterr(c->p);
        break;
      }
      if (n == 0) break;
    }
    if (c->count > 0) deliver(c, (int32_t)c->count, (uint32_t)c->used, NULL);
    if (fail != NULL && !c->closing) deliver(c, -1, 0, fail);
    if (!more || fail != NULL) break;
  }
  c->in_dispatch = 0;
  if (c->closing) finish_close(c);
}

static napi_value capture_new(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 3) return throw_code(env, "ARGS", "Capture(options, ring, onBatch)");
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  if (t != napi_object) return throw_code(env, "ARGS", "options must be an object");
  bool isab = false;
  napi_is_arraybuffer(env, argv[1], &isab);
  if (!isab) return throw_code(env, "ARGS", "ring must be an ArrayBuffer");
  napi_typeof(env, argv[2], &t);
  if (t != napi_function) return throw_code(env, "ARGS", "onBatch must be a function");

  char device[256], filter[8192], err[PCAP_ERRBUF_SIZE];
  if (opt_str(env, argv[0], "device", device, sizeof device) != 1 || device[0] == 0) return throw_code(env, "ARGS", "options.device: a name of at most 255 bytes is required");
  if (opt_str(env, argv[0], "filter", filter, sizeof filter) < 0) return throw_code(env, "BAD_FILTER", "the filter is longer than 8191 bytes");
  int64_t snaplen, bufsize, timeout;
  if (!opt_int(env, argv[0], "snaplen", 262144, &snaplen) || snaplen < 1 || snaplen > 262144) return throw_code(env, "ARGS", "options.snaplen: 1..262144");
  if (!opt_int(env, argv[0], "bufferSize", 64 << 20, &bufsize) || bufsize < 65536 || bufsize > ((int64_t)1 << 31) - 1) return throw_code(env, "ARGS", "options.bufferSize: 64 KiB..2 GiB");
  if (!opt_int(env, argv[0], "timeoutMs", 100, &timeout) || timeout < 1 || timeout > 60000) return throw_code(env, "ARGS", "options.timeoutMs: 1..60000");
  int immediate = opt_bool(env, argv[0], "immediate", 0);
  int promisc = opt_bool(env, argv[0], "promisc", 1);
  int nano = opt_bool(env, argv[0], "nano", 1);

  void *ring_data = NULL;
  size_t ring_len = 0;
  CHECK(napi_get_arraybuffer_info(env, argv[1], &ring_data, &ring_len));
  uint32_t rec_max = REC_HDR + (((uint32_t)snaplen + 3u) & ~3u);
  if (ring_len < rec_max) return throw_code(env, "ARGS", "ring is smaller than one packet of snaplen bytes");

  pcap_t *p = pcap_create(device, err);
  if (p == NULL) return throw_code(env, "OPEN", err);
  const char *step = NULL;
  if (pcap_set_snaplen(p, (int)snaplen) != 0) step = "pcap_set_snaplen";
  else if (pcap_set_promisc(p, promisc) != 0) step = "pcap_set_promisc";
  else if (pcap_set_buffer_size(p, (int)bufsize) != 0) step = "pcap_set_buffer_size";
  else if (pcap_set_timeout(p, (int)timeout) != 0) step = "pcap_set_timeout";
  else if (pcap_set_immediate_mode(p, immediate) != 0) step = "pcap_set_immediate_mode";
  if (step != NULL) {
    snprintf(err, sizeof err, "%s failed", step);
    pcap_close(p);
    return throw_code(env, "OPEN", err);
  }
  /* Nanoseconds where libpcap offers them (ignored, and micro used, where it does not). */
  if (nano) pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
  int rc = pcap_activate(p);
  char warning[PCAP_ERRBUF_SIZE + 64];
  warning[0] = 0;
  if (rc < 0) {
    const char *code = "OPEN";
    switch (rc) {
      case PCAP_ERROR_PERM_DENIED:
      case PCAP_ERROR_PROMISC_PERM_DENIED:
        code = "PERM_DENIED";
        break;
      case PCAP_ERROR_NO_SUCH_DEVICE:
        code = "NO_SUCH_DEVICE";
        break;
      case PCAP_ERROR_IFACE_NOT_UP:
        code = "IFACE_NOT_UP";
        break;
      default:
        break;
    }
    const char *m = pcap_geterr(p);
    if (m && m[0]) snprintf(err, sizeof err, "%s", m);
    else snprintf(err, sizeof err, "%s: %s", device, pcap_statustostr(rc));
    pcap_close(p);
    return throw_code(env, code, err);
  }
  if (rc > 0) {
    const char *m = pcap_geterr(p);
    snprintf(warning, sizeof warning, "%s%s%s", pcap_statustostr(rc), (m && m[0]) ? ": " : "", (m && m[0]) ? m : "");
  }
  if (pcap_setnonblock(p, 1, err) == -1) {
    pcap_close(p);
    return throw_code(env, "OPEN", err);
  }
  if (filter[0] != 0) {
    struct bpf_program fp;
    if (pcap_compile(p, &fp, filter, 1, PCAP_NETMASK_UNKNOWN) == -1) {
      snprintf(err, sizeof err, "%s", pcap_geterr(p));
      pcap_close(p);
      return throw_code(env, "BAD_FILTER", err);
    }
    if (pcap_setfilter(p, &fp) == -1) {
      snprintf(err, sizeof err, "%s", pcap_geterr(p));
      pcap_freecode(&fp);
      pcap_close(p);
      return throw_code(env, "BAD_FILTER", err);
    }
    pcap_freecode(&fp);
  }
  int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    pcap_close(p);
    return throw_code(env, "OPEN", "libpcap gives no selectable descriptor for this device");
  }

  /* libpcap may adjust the snapshot length: the records are sized for the one it uses. */
  int snap = pcap_snapshot(p);
  if (snap > 0 && (uint32_t)snap > (uint32_t)snaplen) rec_max = REC_HDR + (((uint32_t)snap + 3u) & ~3u);
  if (ring_len < rec_max) {
    pcap_close(p);
    return throw_code(env, "ARGS", "ring is smaller than one packet of the snapshot length");
  }

  ww_cap *c = (ww_cap *)calloc(1, sizeof *c);
  if (c == NULL) {
    pcap_close(p);
    return throw_code(env, "OPEN", "out of memory");
  }
  c->env = env;
  c->p = p;
  c->ring = (uint8_t *)ring_data;
  c->ring_len = ring_len;
  c->rec_max = rec_max;
  c->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
  c->poll.data = c;

  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &c->poll, fd) != 0) {
    pcap_close(p);
    free(c);
    return throw_code(env, "OPEN", "cannot watch the capture descriptor (uv_poll_init)");
  }
  c->poll_started = 1; /* from here on the poll handle must be closed with uv_close */
  if (napi_wrap(env, self, c, finalize, NULL, NULL) != napi_ok) {
    /* No JavaScript owner: the close callback alone frees the state. */
    c->js_gone = 1;
    finish_close(c);
    return throw_code(env, "OPEN", "napi_wrap failed");
  }
  napi_create_reference(env, self, 1, &c->self_ref);
  napi_create_reference(env, argv[2], 1, &c->cb_ref);
  napi_create_reference(env, argv[1], 1, &c->ring_ref);
  napi_value name;
  napi_create_string_utf8(env, "wwpcap:batch", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, self, name, &c->actx);

  int dlt = pcap_datalink(p);
  set_num(env, self, "linkType", dlt);
  set_str(env, self, "linkTypeName", pcap_datalink_val_to_name(dlt));
  set_num(env, self, "snaplen", pcap_snapshot(p));
  set_num(env, self, "tsDigits", c->nano ? 9 : 6);
  set_str(env, self, "warning", warning[0] ? warning : NULL);

  if (uv_poll_start(&c->poll, UV_READABLE, on_readable) != 0) {
    finish_close(c);
    return throw_code(env, "OPEN", "cannot watch the capture descriptor (uv_poll_start)");
  }
  return self;
}

static ww_cap *unwrap(napi_env env, napi_callback_info info) {
  napi_value self;
  void *data = NULL;
  size_t argc = 0;
  if (napi_get_cb_info(env, info, &argc, NULL, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok) return NULL;
  return (ww_cap *)data;
}

static napi_value capture_stats(napi_env env, napi_callback_info info) {
  ww_cap *c = unwrap(env, info);
  if (c == NULL) return throw_code(env, "ARGS", "not a Capture");
  struct pcap_stat s;
  if (c->p != NULL && !c->closed) {
    if (pcap_stats(c->p, &s) != 0) return throw_code(env, "STATS", pcap_geterr(c->p));
    c->last = s;
    c->have_last = 1;
  } else if (c->have_last) {
    s = c->last;
  } else {
    napi_value n;
    napi_get_null(env, &n);
    return n;
  }
  napi_value o;
  CHECK(napi_create_object(env, &o));
  set_num(env, o, "received", s.ps_recv);
  set_num(env, o, "dropped", s.ps_drop);
  set_num(env, o, "ifDropped", s.ps_ifdrop);
  set_num(env, o, "lost", (double)c->lost);
  return o;
}

static napi_value capture_close(napi_env env, napi_callback_info info) {
  ww_cap *c = unwrap(env, info);
  napi_value r;
  if (c == NULL) return throw_code(env, "ARGS", "not a Capture");
  if (c->closing || c->closed) {
    napi_get_boolean(env, false, &r);
    return r;
  }
  c->closing = 1;
  if (c->in_dispatch) {
    /* Inside onBatch: libpcap is still reading; finish when on_readable unwinds. */
    if (c->p) pcap_breakloop(c->p);
  } else {
    finish_close(c);
  }
  napi_get_boolean(env, true, &r);
  return r;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"stats", NULL, capture_stats, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, capture_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  CHECK(napi_define_class(env, "Capture", NAPI_AUTO_LENGTH, capture_new, NULL, 2, methods, &cls));
  napi_property_descriptor fns[] = {
      {"Capture", NULL, NULL, NULL, NULL, cls, napi_enumerable, NULL},
      {"devices", NULL, js_devices, NULL, NULL, NULL, napi_enumerable, NULL},
      {"version", NULL, js_version, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, 3, fns));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
