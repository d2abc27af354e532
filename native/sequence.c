// Ordered sending on a thread of libuv's pool: send framed netlink requests one at a time and
// stop at the first one the kernel refuses. rtnetlink handles a request inside the sendmsg that
// carries it, so when sendto returns, the kernel's answer (an error, since the requests ask for
// no ack) is already queued: a non-blocking read after each send tells whether it was refused
// before the next one leaves. Keeping this loop off the main thread lets JavaScript prepare the
// next requests while the kernel works on these.
//
// A sequence is a stream: sequenceOpen starts the worker, sequencePush hands it more framed
// requests (a segment) at any time, sequenceEnd says no more will come. The worker waits for
// segments while the stream is open, so it never waits for the main thread between two of them.
// See docs/INTERFACES.md.

#include <errno.h>
#include <pthread.h>
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

// control[] words (an Int32Array shared with JavaScript).
#define CONTROL_CANCEL 0   // set by JavaScript: stop before the next request
#define CONTROL_SENT 1     // set by the worker: requests that left so far
#define CONTROL_STOPPED 2  // set by the worker: 1 once it stopped (a refusal or an error)
#define CONTROL_WORDS 3

// Requests [from, to) of one pushed buffer: request i is data[starts[i], starts[i + 1]).
typedef struct segment {
  struct segment* next;
  const uint8_t* data;
  const uint32_t* starts;
  uint32_t from, to;
  napi_ref refs[2];  // data, starts
} segment_t;

typedef struct {
  napi_async_work work;
  napi_ref control_ref, callback_ref;
  int fd;
  int32_t* control;
  int stop_on_error;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  // Every segment pushed, in order (freed at completion); `cursor` is the first one the worker
  // has not taken yet. Guarded by `lock`, as is `ended`.
  segment_t *first, *last, *cursor;
  int ended;
  // Main thread only: the completion ran (later pushes are refused) and the handle was
  // collected; the struct is freed when both are true.
  int completed, collected;
  // Results, written by the worker and read by the completion.
  uint32_t next;  // requests that left, counted over every segment
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

// The next segment to send, waiting while the stream is open and has none; NULL when it ended
// (or was cancelled) with nothing left.
static segment_t* take(sequence_t* s) {
  pthread_mutex_lock(&s->lock);
  while (s->cursor == NULL && !s->ended &&
         !__atomic_load_n(&s->control[CONTROL_CANCEL], __ATOMIC_ACQUIRE))
    pthread_cond_wait(&s->wake, &s->lock);
  segment_t* seg = s->cursor;
  if (seg) s->cursor = seg->next;
  pthread_mutex_unlock(&s->lock);
  return seg;
}

// Send one request and read what the kernel queued in answer; 1 when the sequence must stop.
static int send_one(sequence_t* s, const uint8_t* req, size_t len, uint8_t* in) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 0};
  ssize_t n;
  do {
    n = sendto(s->fd, req, len, 0, (struct sockaddr*)&kernel, sizeof kernel);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    s->err = errno;  // positive: this request did not leave
    return 1;
  }
  s->next++;
  __atomic_store_n(&s->control[CONTROL_SENT], (int32_t)s->next, __ATOMIC_RELEASE);
  int stop = 0;
  for (;;) {
    do {
      n = recv(s->fd, in, READ_SIZE, MSG_DONTWAIT | MSG_TRUNC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      // EAGAIN: nothing queued, so the request was accepted. Anything else (ENOBUFS: the
      // receive queue overflowed and an answer may be lost) ends the sequence.
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        s->err = -errno;  // negative: a read failed after request next - 1 left
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
  return stop;
}

static void execute(napi_env env, void* data) {
  (void)env;
  sequence_t* s = data;
  uint8_t* in = malloc(READ_SIZE);
  if (!in) {
    s->err = ENOMEM;
    __atomic_store_n(&s->control[CONTROL_STOPPED], 1, __ATOMIC_RELEASE);
    return;
  }
  int stop = 0;
  segment_t* seg;
  while (!stop && (seg = take(s)) != NULL) {
    for (uint32_t i = seg->from; i < seg->to; i++) {
      if (__atomic_load_n(&s->control[CONTROL_CANCEL], __ATOMIC_ACQUIRE)) {
        stop = 1;
        break;
      }
      if (send_one(s, seg->data + seg->starts[i], seg->starts[i + 1] - seg->starts[i], in)) {
        stop = 1;
        __atomic_store_n(&s->control[CONTROL_STOPPED], 1, __ATOMIC_RELEASE);
        break;
      }
    }
  }
  free(in);
}

static void release(napi_env env, sequence_t* s) {
  segment_t* seg = s->first;
  while (seg) {
    segment_t* next = seg->next;
    for (int k = 0; k < 2; k++)
      if (seg->refs[k]) napi_delete_reference(env, seg->refs[k]);
    free(seg);
    seg = next;
  }
  s->first = s->last = s->cursor = NULL;
  if (s->control_ref) napi_delete_reference(env, s->control_ref);
  if (s->callback_ref) napi_delete_reference(env, s->callback_ref);
  s->control_ref = s->callback_ref = NULL;
  free(s->out);
  s->out = NULL;
}

static void destroy(sequence_t* s) {
  pthread_mutex_destroy(&s->lock);
  pthread_cond_destroy(&s->wake);
  free(s);
}

static void complete(napi_env env, napi_status status, void* data) {
  sequence_t* s = data;
  napi_value callback, global, argv[3], ignored;
  s->completed = 1;
  if (status == napi_ok && napi_get_reference_value(env, s->callback_ref, &callback) == napi_ok &&
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
  release(env, s);
  napi_delete_async_work(env, s->work);
  if (s->collected) destroy(s);
}

// The handle was collected: free the sequence once its work has completed too.
static void finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  sequence_t* s = data;
  s->collected = 1;
  if (s->completed) destroy(s);
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

// The first `n` arguments of a call into `name`, or -1 (a TypeError is pending) when fewer came.
static int take_args(napi_env env, napi_callback_info info, size_t n, napi_value* argv,
                     const char* name) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  if (argc < n) {
    char message[96];
    snprintf(message, sizeof message, "%s takes %zu argument%s", name, n, n == 1 ? "" : "s");
    napi_throw_type_error(env, NULL, message);
    return -1;
  }
  return 0;
}

// The sequence behind a handle, or NULL (a TypeError is pending).
static sequence_t* handle_of(napi_env env, napi_value handle) {
  void* data = NULL;
  if (napi_get_value_external(env, handle, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "not a sequence handle");
    return NULL;
  }
  return data;
}

// The sequence behind a handle that has not completed yet, or NULL (a JS exception is pending).
static sequence_t* open_sequence(napi_env env, napi_value handle) {
  sequence_t* s = handle_of(env, handle);
  if (!s) return NULL;
  if (s->completed) {
    napi_throw_error(env, NULL, "the sequence has ended");
    return NULL;
  }
  return s;
}

// sequenceOpen(fd, stopOnError: boolean, control: Int32Array(3), callback(next, received, errno))
//   → handle
napi_value shim_sequence_open(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (take_args(env, info, 4, argv, "sequenceOpen")) return NULL;
  uint32_t fd;
  void* control;
  size_t control_len;
  bool stop = false;
  napi_valuetype cb_type;
  if (u32_arg(env, argv[0], "fd", &fd) ||
      typed(env, argv[2], napi_int32_array, "control", &control, &control_len))
    return NULL;
  if (napi_get_value_bool(env, argv[1], &stop) != napi_ok ||
      napi_typeof(env, argv[3], &cb_type) != napi_ok || cb_type != napi_function) {
    napi_throw_type_error(env, NULL, "stopOnError must be a boolean and callback a function");
    return NULL;
  }
  if (control_len < CONTROL_WORDS) {
    napi_throw_range_error(env, NULL, "control needs 3 words");
    return NULL;
  }
  sequence_t* s = calloc(1, sizeof *s);
  if (!s) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->wake, NULL);
  s->fd = (int)fd;
  s->control = control;
  s->stop_on_error = stop;
  napi_value name, handle;
  if (napi_create_reference(env, argv[2], 1, &s->control_ref) != napi_ok ||
      napi_create_reference(env, argv[3], 1, &s->callback_ref) != napi_ok ||
      napi_create_string_utf8(env, "rtnl.sequence", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, s, &s->work) != napi_ok)
    goto fail;
  if (napi_create_external(env, s, finalize, NULL, &handle) != napi_ok) {
    napi_delete_async_work(env, s->work);
    goto fail;
  }
  if (napi_queue_async_work(env, s->work) != napi_ok) {
    // The handle's finalizer frees the struct once it is collected.
    napi_delete_async_work(env, s->work);
    release(env, s);
    s->completed = 1;
    napi_throw_error(env, NULL, "sequenceOpen could not start");
    return NULL;
  }
  return handle;
fail:
  release(env, s);
  destroy(s);
  napi_throw_error(env, NULL, "sequenceOpen could not start");
  return NULL;
}

// sequencePush(handle, buf: Uint8Array, starts: Uint32Array, from, to): requests [from, to)
// follow those pushed before. The buffers must not change afterwards.
napi_value shim_sequence_push(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (take_args(env, info, 5, argv, "sequencePush")) return NULL;
  sequence_t* s = open_sequence(env, argv[0]);
  if (!s) return NULL;
  uint32_t from, to;
  void *buf, *starts;
  size_t buf_len, starts_len;
  if (typed(env, argv[1], napi_uint8_array, "buf", &buf, &buf_len) ||
      typed(env, argv[2], napi_uint32_array, "starts", &starts, &starts_len) ||
      u32_arg(env, argv[3], "from", &from) || u32_arg(env, argv[4], "to", &to))
    return NULL;
  const uint32_t* st = starts;
  if (from > to || to >= starts_len) {
    napi_throw_range_error(env, NULL, "from/to out of range");
    return NULL;
  }
  for (uint32_t i = from; i < to; i++) {
    if (st[i] > st[i + 1] || st[i + 1] > buf_len) {
      napi_throw_range_error(env, NULL, "starts point outside buf");
      return NULL;
    }
  }
  if (s->ended) {
    napi_throw_error(env, NULL, "the sequence has ended");
    return NULL;
  }
  if (from == to) return NULL;
  segment_t* seg = calloc(1, sizeof *seg);
  if (!seg) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  seg->data = buf;
  seg->starts = st;
  seg->from = from;
  seg->to = to;
  if (napi_create_reference(env, argv[1], 1, &seg->refs[0]) != napi_ok ||
      napi_create_reference(env, argv[2], 1, &seg->refs[1]) != napi_ok) {
    for (int k = 0; k < 2; k++)
      if (seg->refs[k]) napi_delete_reference(env, seg->refs[k]);
    free(seg);
    napi_throw_error(env, NULL, "sequencePush could not keep the buffers");
    return NULL;
  }
  pthread_mutex_lock(&s->lock);
  if (s->last)
    s->last->next = seg;
  else
    s->first = seg;
  s->last = seg;
  if (!s->cursor) s->cursor = seg;
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

// sequenceEnd(handle): no more pushes; the worker ends once it has sent what it has (or at
// once if control[0] was set). Also wakes a worker waiting for segments after a cancel.
napi_value shim_sequence_end(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (take_args(env, info, 1, argv, "sequenceEnd")) return NULL;
  sequence_t* s = handle_of(env, argv[0]);
  if (!s || s->completed) return NULL;
  pthread_mutex_lock(&s->lock);
  s->ended = 1;
  pthread_cond_signal(&s->wake);
  pthread_mutex_unlock(&s->lock);
  return NULL;
}
