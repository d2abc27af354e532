// sendSequence: send framed netlink requests one at a time on a thread of libuv's pool, and stop
// at the first one the kernel refuses. rtnetlink handles a request inside the sendmsg that
// carries it, so when sendto returns, the kernel's answer (an error, since the requests ask for
// no ack) is already queued: a non-blocking read after each send tells whether it was refused
// before the next one leaves. Keeping this loop off the main thread lets JavaScript prepare the
// next requests while the kernel works on these. See docs/INTERFACES.md.

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

#include <node_api.h>

#include "sequence.h"

// The largest datagram kept from the replies (an error with its ext-ack fits many times over).
#define READ_SIZE (64 * 1024)

typedef struct {
  napi_async_work work;
  napi_ref refs[4];  // buf, starts, control, callback
  int fd;
  const uint8_t* data;
  const uint32_t* starts;
  int32_t* control;
  uint32_t from, to;
  int stop_on_error;
  // Results, written by the worker and read by the completion.
  uint32_t next;
  int err;
  uint8_t* out;  // datagrams read, each as a u32 length (native order) then its bytes
  size_t out_len, out_cap;
} sequence_t;

static int append(sequence_t* s, const uint8_t* bytes, uint32_t len) {
  size_t need = s->out_len + 4 + len;
  if (need > s->out_cap) {
    size_t cap = s->out_cap ? s->out_cap * 2 : 4096;
    while (cap < need) cap *= 2;
    uint8_t* p = realloc(s->out, cap);
    if (!p) return -1;
    s->out = p;
    s->out_cap = cap;
  }
  memcpy(s->out + s->out_len, &len, 4);
  memcpy(s->out + s->out_len + 4, bytes, len);
  s->out_len = need;
  return 0;
}

// Whether a datagram holds an NLMSG_ERROR with a non-zero error (a refusal, not an ack).
static int refused(const uint8_t* p, size_t len) {
  size_t off = 0;
  while (off + NLMSG_HDRLEN <= len) {
    const struct nlmsghdr* h = (const struct nlmsghdr*)(p + off);
    if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len - off) return 0;
    if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
      int error;
      memcpy(&error, p + off + NLMSG_HDRLEN, sizeof error);
      if (error != 0) return 1;
    }
    off += NLMSG_ALIGN(h->nlmsg_len);
  }
  return 0;
}

static void execute(napi_env env, void* data) {
  (void)env;
  sequence_t* s = data;
  uint8_t* in = malloc(READ_SIZE);
  if (!in) {
    s->err = ENOMEM;
    s->next = s->from;
    return;
  }
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 0};
  uint32_t i = s->from;
  while (i < s->to) {
    if (s->control && __atomic_load_n(s->control, __ATOMIC_ACQUIRE)) break;
    const uint8_t* req = s->data + s->starts[i];
    size_t len = s->starts[i + 1] - s->starts[i];
    ssize_t n;
    do {
      n = sendto(s->fd, req, len, 0, (struct sockaddr*)&kernel, sizeof kernel);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      s->err = errno;  // positive: request i did not leave
      break;
    }
    i++;
    int stop = 0;
    for (;;) {
      do {
        n = recv(s->fd, in, READ_SIZE, MSG_DONTWAIT | MSG_TRUNC);
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        // EAGAIN: nothing queued, so the request was accepted. Anything else (ENOBUFS: the
        // receive queue overflowed and an answer may be lost) ends the sequence.
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          s->err = -errno;  // negative: a read failed after request i - 1 left
          stop = 1;
        }
        break;
      }
      size_t kept = (size_t)n < READ_SIZE ? (size_t)n : READ_SIZE;
      if (append(s, in, (uint32_t)kept) < 0) {
        s->err = -ENOMEM;
        stop = 1;
        break;
      }
      if (s->stop_on_error && refused(in, kept)) stop = 1;
    }
    if (stop) break;
  }
  s->next = i;
  free(in);
}

static void complete(napi_env env, napi_status status, void* data) {
  sequence_t* s = data;
  napi_value callback, global, argv[3], ignored;
  if (status == napi_ok && napi_get_reference_value(env, s->refs[3], &callback) == napi_ok &&
      napi_get_global(env, &global) == napi_ok) {
    napi_create_uint32(env, s->next, &argv[0]);
    if (s->out_len > 0) {
      void* copy;
      if (napi_create_buffer_copy(env, s->out_len, s->out, &copy, &argv[1]) != napi_ok)
        napi_get_undefined(env, &argv[1]);
    } else {
      napi_get_undefined(env, &argv[1]);
    }
    napi_create_int32(env, s->err, &argv[2]);
    napi_call_function(env, global, callback, 3, argv, &ignored);
  }
  for (int k = 0; k < 4; k++)
    if (s->refs[k]) napi_delete_reference(env, s->refs[k]);
  napi_delete_async_work(env, s->work);
  free(s->out);
  free(s);
}

static int typed(napi_env env, napi_value v, napi_typedarray_type want, const char* name,
                 void** data, size_t* length) {
  bool is = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok ||
      type != want) {
    char message[96];
    snprintf(message, sizeof message, "%s has the wrong type", name);
    napi_throw_type_error(env, NULL, message);
    return -1;
  }
  return 0;
}

static int u32_arg(napi_env env, napi_value v, const char* name, uint32_t* out) {
  if (napi_get_value_uint32(env, v, out) != napi_ok) {
    char message[96];
    snprintf(message, sizeof message, "%s must be a number", name);
    napi_throw_type_error(env, NULL, message);
    return -1;
  }
  return 0;
}

// sendSequence(fd, buf: Uint8Array, starts: Uint32Array, from, to, stopOnError: boolean,
//              control: Int32Array, callback(next, received: Buffer | undefined, errno))
napi_value shim_send_sequence(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "sendSequence takes 8 arguments");
    return NULL;
  }
  uint32_t fd, from, to;
  void *buf, *starts, *control;
  size_t buf_len, starts_len, control_len;
  bool stop = false;
  napi_valuetype cb_type;
  if (u32_arg(env, argv[0], "fd", &fd) ||
      typed(env, argv[1], napi_uint8_array, "buf", &buf, &buf_len) ||
      typed(env, argv[2], napi_uint32_array, "starts", &starts, &starts_len) ||
      u32_arg(env, argv[3], "from", &from) || u32_arg(env, argv[4], "to", &to) ||
      typed(env, argv[6], napi_int32_array, "control", &control, &control_len))
    return NULL;
  if (napi_get_value_bool(env, argv[5], &stop) != napi_ok ||
      napi_typeof(env, argv[7], &cb_type) != napi_ok || cb_type != napi_function) {
    napi_throw_type_error(env, NULL, "stopOnError must be a boolean and callback a function");
    return NULL;
  }
  const uint32_t* st = starts;
  if (from > to || to >= starts_len || control_len < 1) {
    napi_throw_range_error(env, NULL, "from/to out of range");
    return NULL;
  }
  for (uint32_t i = from; i < to; i++) {
    if (st[i] > st[i + 1] || st[i + 1] > buf_len) {
      napi_throw_range_error(env, NULL, "starts point outside buf");
      return NULL;
    }
  }
  sequence_t* s = calloc(1, sizeof *s);
  if (!s) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  s->fd = (int)fd;
  s->data = buf;
  s->starts = st;
  s->control = control;
  s->from = from;
  s->to = to;
  s->stop_on_error = stop;
  napi_value name;
  const int keep[4] = {1, 2, 6, 7};
  for (int k = 0; k < 4; k++) {
    if (napi_create_reference(env, argv[keep[k]], 1, &s->refs[k]) != napi_ok) goto fail;
  }
  if (napi_create_string_utf8(env, "rtnl.sendSequence", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, s, &s->work) != napi_ok ||
      napi_queue_async_work(env, s->work) != napi_ok)
    goto fail;
  return NULL;
fail:
  for (int k = 0; k < 4; k++)
    if (s->refs[k]) napi_delete_reference(env, s->refs[k]);
  free(s);
  napi_throw_error(env, NULL, "sendSequence could not start");
  return NULL;
}
