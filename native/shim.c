// rtnl_shim: the only native code in rtnl. A netlink socket face (socket/bind/sockopt/send/recv),
// uv_poll readiness, and network-namespace (and tun/tap) creation on short-lived pthreads.
// Everything protocol-shaped lives in TypeScript; see docs/INTERFACES.md for the contract.

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <net/if.h>

#include <node_api.h>
#include <uv.h>

#include "sequence.h"

// ---------------------------------------------------------------------------------------------
// Errors

static void throw_errno(napi_env env, int err, const char* syscall) {
  char name[64];
  char text[256];
  char message[384];
  // libuv error codes are negated errnos on Unix, so its tables name Linux errnos for us.
  uv_err_name_r(-err, name, sizeof name);
  uv_strerror_r(-err, text, sizeof text);
  snprintf(message, sizeof message, "%s: %s (%s)", syscall, text, name);

  napi_value code, msg, error, errno_value, syscall_value;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(env, code, msg, &error) != napi_ok ||
      napi_create_int32(env, err, &errno_value) != napi_ok ||
      napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value) != napi_ok) {
    napi_throw_error(env, NULL, message);
    return;
  }
  napi_set_named_property(env, error, "errno", errno_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  napi_throw(env, error);
}

static void throw_if_none(napi_env env, const char* message) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, NULL, message);
}

// ---------------------------------------------------------------------------------------------
// Argument helpers. Each returns 0 on success, or -1 with a JS exception pending.

#define MAX_ARGS 5

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value* argv,
                    void** data) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, data) != napi_ok) return -1;
  if (argc < want) {
    char message[64];
    snprintf(message, sizeof message, "expected %zu arguments, got %zu", want, argc);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return -1;
  }
  return 0;
}

static int get_integer(napi_env env, napi_value value, const char* name, int64_t min, int64_t max,
                       int64_t* out) {
  napi_valuetype type;
  double number;
  if (napi_typeof(env, value, &type) != napi_ok) return -1;
  if (type != napi_number) {
    char message[96];
    snprintf(message, sizeof message, "%s must be a number", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return -1;
  }
  napi_get_value_double(env, value, &number);
  if (!(number >= (double)min && number <= (double)max) || number != (double)(int64_t)number) {
    char message[160];
    snprintf(message, sizeof message, "%s must be an integer from %lld to %lld", name,
             (long long)min, (long long)max);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
    return -1;
  }
  *out = (int64_t)number;
  return 0;
}

static int get_int(napi_env env, napi_value value, const char* name, int* out) {
  int64_t v;
  if (get_integer(env, value, name, INT32_MIN, INT32_MAX, &v)) return -1;
  *out = (int)v;
  return 0;
}

static int get_fd(napi_env env, napi_value value, int* out) {
  int64_t v;
  if (get_integer(env, value, "fd", 0, INT32_MAX, &v)) return -1;
  *out = (int)v;
  return 0;
}

static int get_bytes(napi_env env, napi_value value, const char* name, uint8_t** data,
                     size_t* length) {
  bool is_typedarray = false;
  napi_typedarray_type type;
  napi_value arraybuffer;
  size_t byte_offset;
  void* base = NULL;
  napi_is_typedarray(env, value, &is_typedarray);
  if (is_typedarray) {
    if (napi_get_typedarray_info(env, value, &type, length, &base, &arraybuffer, &byte_offset) !=
        napi_ok)
      return -1;
    // `base` already points at the first element (byte_offset applied) per the N-API docs.
    if (type == napi_uint8_array || type == napi_uint8_clamped_array) {
      *data = base;
      return 0;
    }
  }
  char message[96];
  snprintf(message, sizeof message, "%s must be a Uint8Array or Buffer", name);
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return -1;
}

// Copies a string argument into malloc'd memory (caller frees). `nullable` accepts null or
// undefined as NULL.
static int get_string(napi_env env, napi_value value, const char* name, bool nullable,
                      char** out) {
  napi_valuetype type;
  size_t length;
  if (napi_typeof(env, value, &type) != napi_ok) return -1;
  if (nullable && (type == napi_null || type == napi_undefined)) {
    *out = NULL;
    return 0;
  }
  if (type != napi_string) {
    char message[96];
    snprintf(message, sizeof message, "%s must be a string%s", name, nullable ? " or null" : "");
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return -1;
  }
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return -1;
  char* buffer = malloc(length + 1);
  if (buffer == NULL) {
    throw_errno(env, ENOMEM, "malloc");
    return -1;
  }
  napi_get_value_string_utf8(env, value, buffer, length + 1, &length);
  if (strlen(buffer) != length) {
    // An embedded NUL would silently shorten the path the kernel sees.
    free(buffer);
    char message[96];
    snprintf(message, sizeof message, "%s must not contain NUL bytes", name);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    return -1;
  }
  *out = buffer;
  return 0;
}

static napi_value make_int(napi_env env, int64_t value) {
  napi_value result;
  napi_create_int64(env, value, &result);
  return result;
}

static napi_value make_undefined(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Namespace work on a short-lived thread.
//
// setns(CLONE_NEWNET) and unshare(CLONE_NEWNET) change the namespace of the calling *thread*
// only. Doing it on the main thread or a libuv pool thread would leave Node itself in another
// namespace, so each job gets a fresh pthread that does its work and exits; the socket (or the
// fd or bind mount) keeps the namespace alive after the thread is gone.

enum ns_op { NS_OPEN_SOCKET, NS_CREATE_FD, NS_CREATE_AT, NS_TUN_CREATE };

// What NS_TUN_CREATE makes: `ip tuntap add`'s steps with these values.
struct tun_spec {
  char name[IFNAMSIZ];  // in: wanted name ("" or a "%d" pattern lets the kernel pick); out: name
  int flags;            // IFF_TUN / IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR | ...
  bool persist;
  int64_t owner;        // -1: unset
  int64_t group;        // -1: unset
};

struct ns_job {
  enum ns_op op;
  int netns_fd;          // NS_OPEN_SOCKET, NS_TUN_CREATE (-1: the caller's namespace)
  int protocol;          // NS_OPEN_SOCKET
  const char* path;      // NS_CREATE_AT
  struct tun_spec* tun;  // NS_TUN_CREATE
  int result;            // fd for NS_OPEN_SOCKET / NS_CREATE_FD
  int err;               // errno of the failed step, 0 on success
  const char* syscall;
};

static int open_netlink_socket(int protocol) {
  return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
}

// /proc/thread-self (Linux 3.17) names this thread's own namespace; /proc/self would name the
// main thread's, which never moved.
static int thread_ns_path(char* out, size_t size) {
  if (access("/proc/thread-self/ns/net", F_OK) == 0)
    return snprintf(out, size, "/proc/thread-self/ns/net");
  return snprintf(out, size, "/proc/self/task/%ld/ns/net", (long)syscall(SYS_gettid));
}

// Opens /dev/net/tun and makes the device, as `ip tuntap add` does: TUNSETIFF (with
// IFF_TUN_EXCL, so an existing device is an error, not attached to), TUNSETOWNER, TUNSETGROUP,
// TUNSETPERSIST. The device lives in the namespace the thread is in when /dev/net/tun is opened.
static void tun_create(struct ns_job* job) {
  struct tun_spec* tun = job->tun;
  struct ifreq ifr;
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    job->err = errno;
    job->syscall = "open /dev/net/tun";
    return;
  }
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, tun->name, IFNAMSIZ);
  ifr.ifr_flags = (short)(tun->flags | IFF_TUN_EXCL);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    job->err = errno;
    job->syscall = "ioctl(TUNSETIFF)";
  } else if (tun->owner >= 0 && ioctl(fd, TUNSETOWNER, (unsigned long)tun->owner) < 0) {
    job->err = errno;
    job->syscall = "ioctl(TUNSETOWNER)";
  } else if (tun->group >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long)tun->group) < 0) {
    job->err = errno;
    job->syscall = "ioctl(TUNSETGROUP)";
  } else if (tun->persist && ioctl(fd, TUNSETPERSIST, 1UL) < 0) {
    job->err = errno;
    job->syscall = "ioctl(TUNSETPERSIST)";
  } else {
    memcpy(tun->name, ifr.ifr_name, IFNAMSIZ);
    tun->name[IFNAMSIZ - 1] = '\0';
  }
  // Without TUNSETPERSIST the device goes away here, with its last queue.
  close(fd);
}

static void* ns_thread(void* arg) {
  struct ns_job* job = arg;
  char path[64];
  switch (job->op) {
    case NS_TUN_CREATE:
      if (setns(job->netns_fd, CLONE_NEWNET) < 0) {
        job->err = errno;
        job->syscall = "setns";
        break;
      }
      tun_create(job);
      break;
    case NS_OPEN_SOCKET:
      if (setns(job->netns_fd, CLONE_NEWNET) < 0) {
        job->err = errno;
        job->syscall = "setns";
        break;
      }
      job->result = open_netlink_socket(job->protocol);
      if (job->result < 0) {
        job->err = errno;
        job->syscall = "socket";
      }
      break;
    case NS_CREATE_FD:
    case NS_CREATE_AT:
      if (unshare(CLONE_NEWNET) < 0) {
        job->err = errno;
        job->syscall = "unshare";
        break;
      }
      thread_ns_path(path, sizeof path);
      if (job->op == NS_CREATE_FD) {
        job->result = open(path, O_RDONLY | O_CLOEXEC);
        if (job->result < 0) {
          job->err = errno;
          job->syscall = "open";
        }
      } else if (mount(path, job->path, "none", MS_BIND, NULL) < 0) {
        job->err = errno;
        job->syscall = "mount";
      }
      break;
  }
  return NULL;
}

// Runs `job` on a new thread and waits for it (tens of microseconds). Returns 0, or -1 with a
// JS exception pending.
static int run_ns_job(napi_env env, struct ns_job* job) {
  pthread_attr_t attr;
  pthread_t thread;
  sigset_t all, old;
  int rc;

  job->result = -1;
  job->err = 0;
  job->syscall = NULL;

  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 * 1024);
  // Block every signal while the thread starts so it inherits a full mask: a process signal
  // must reach a thread that can handle it, not this one.
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  rc = pthread_create(&thread, &attr, ns_thread, job);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    throw_errno(env, rc, "pthread_create");
    return -1;
  }
  pthread_join(thread, NULL);
  if (job->err != 0) {
    throw_errno(env, job->err, job->syscall);
    return -1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Sockets

// open(protocol, netnsFd) -> fd
static napi_value shim_open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int protocol, netns_fd;
  if (get_args(env, info, 2, argv, NULL) || get_int(env, argv[0], "protocol", &protocol) ||
      get_int(env, argv[1], "netnsFd", &netns_fd))
    return NULL;

  if (netns_fd < 0) {
    int fd = open_netlink_socket(protocol);
    if (fd < 0) {
      throw_errno(env, errno, "socket");
      return NULL;
    }
    return make_int(env, fd);
  }

  struct ns_job job = {.op = NS_OPEN_SOCKET, .netns_fd = netns_fd, .protocol = protocol};
  if (run_ns_job(env, &job)) return NULL;
  return make_int(env, job.result);
}

// bind(fd, groups) -> port id. nl_pid 0 asks the kernel to autobind a unique port id.
static napi_value shim_bind(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  int64_t groups;
  if (get_args(env, info, 2, argv, NULL) || get_fd(env, argv[0], &fd) ||
      get_integer(env, argv[1], "groups", 0, UINT32_MAX, &groups))
    return NULL;

  struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = (uint32_t)groups};
  if (bind(fd, (struct sockaddr*)&addr, sizeof addr) < 0) {
    throw_errno(env, errno, "bind");
    return NULL;
  }
  socklen_t length = sizeof addr;
  if (getsockname(fd, (struct sockaddr*)&addr, &length) < 0) {
    throw_errno(env, errno, "getsockname");
    return NULL;
  }
  return make_int(env, addr.nl_pid);
}

// setsockopt(fd, level, name, value): int-valued options only.
static napi_value shim_setsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd, level, name, value;
  if (get_args(env, info, 4, argv, NULL) || get_fd(env, argv[0], &fd) ||
      get_int(env, argv[1], "level", &level) || get_int(env, argv[2], "name", &name) ||
      get_int(env, argv[3], "value", &value))
    return NULL;
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) {
    throw_errno(env, errno, "setsockopt");
    return NULL;
  }
  return make_undefined(env);
}

// getsockopt(fd, level, name) -> int
static napi_value shim_getsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd, level, name;
  if (get_args(env, info, 3, argv, NULL) || get_fd(env, argv[0], &fd) ||
      get_int(env, argv[1], "level", &level) || get_int(env, argv[2], "name", &name))
    return NULL;
  int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(fd, level, name, &value, &length) < 0) {
    throw_errno(env, errno, "getsockopt");
    return NULL;
  }
  return make_int(env, value);
}

// send(fd, buf, offset, length) -> bytes sent, or -errno. Hot path: no exception for errnos.
static napi_value shim_send(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int fd;
  uint8_t* data;
  size_t size;
  int64_t offset, length;
  if (get_args(env, info, 4, argv, NULL) || get_fd(env, argv[0], &fd) ||
      get_bytes(env, argv[1], "buf", &data, &size) ||
      get_integer(env, argv[2], "offset", 0, (int64_t)size, &offset) ||
      get_integer(env, argv[3], "length", 0, (int64_t)size - offset, &length))
    return NULL;

  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 0};
  ssize_t n;
  do {
    n = sendto(fd, data + offset, (size_t)length, 0, (struct sockaddr*)&kernel, sizeof kernel);
  } while (n < 0 && errno == EINTR);
  return make_int(env, n < 0 ? -errno : n);
}

// recv(fd, buf) -> the datagram's real length (MSG_TRUNC: may exceed buf's length when the
// datagram was truncated; netlink_recvmsg reports skb->len then), or -errno. Never allocates.
static napi_value shim_recv(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  uint8_t* data;
  size_t size;
  if (get_args(env, info, 2, argv, NULL) || get_fd(env, argv[0], &fd) ||
      get_bytes(env, argv[1], "buf", &data, &size))
    return NULL;

  struct sockaddr_nl from;
  struct iovec iov = {.iov_base = data, .iov_len = size};
  struct msghdr msg = {
      .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return make_int(env, n < 0 ? -errno : n);
}

// recvNsid(fd, buf, nsid) -> the same as recv, for a socket with NETLINK_LISTEN_ALL_NSID set:
// recvmsg with a control buffer, and nsid[0] (an Int32Array) set to the NETLINK_LISTEN_ALL_NSID
// control message's id, or -1 when the datagram carried none. netlink_recvmsg adds that cmsg
// only to a notification from another namespace that has an id in the socket's namespace
// (do_one_broadcast: peernet2id sets nsid_is_set); a notification from the socket's own
// namespace, a unicast reply or an ack has none. The id is never -1 itself
// (NETNSA_NSID_NOT_ASSIGNED is exactly what leaves nsid_is_set false). Never allocates.
static int get_int32_out(napi_env env, napi_value value, int32_t** out) {
  bool is_typedarray = false;
  napi_typedarray_type type;
  napi_value arraybuffer;
  size_t length, byte_offset;
  void* base = NULL;
  napi_is_typedarray(env, value, &is_typedarray);
  if (is_typedarray &&
      napi_get_typedarray_info(env, value, &type, &length, &base, &arraybuffer, &byte_offset) ==
          napi_ok &&
      type == napi_int32_array && length >= 1) {
    *out = base;
    return 0;
  }
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "nsid must be an Int32Array of length >= 1");
  return -1;
}

static napi_value shim_recv_nsid(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int fd;
  uint8_t* data;
  size_t size;
  int32_t* nsid_out;
  if (get_args(env, info, 3, argv, NULL) || get_fd(env, argv[0], &fd) ||
      get_bytes(env, argv[1], "buf", &data, &size) || get_int32_out(env, argv[2], &nsid_out))
    return NULL;

  // Room for the nsid and whatever else a caller enabled on the socket (NETLINK_PKTINFO,
  // SO_TIMESTAMP*): a control buffer too small would drop messages with MSG_CTRUNC.
  union {
    struct cmsghdr align;
    char buf[256];
  } control;
  struct sockaddr_nl from;
  struct iovec iov = {.iov_base = data, .iov_len = size};
  struct msghdr msg = {.msg_name = &from,
                       .msg_namelen = sizeof from,
                       .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf};
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  int32_t nsid = -1;
  if (n >= 0) {
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_LISTEN_ALL_NSID &&
          c->cmsg_len >= CMSG_LEN(sizeof nsid)) {
        memcpy(&nsid, CMSG_DATA(c), sizeof nsid);
      }
    }
  }
  nsid_out[0] = nsid;
  return make_int(env, n < 0 ? -errno : n);
}

// close(fd). Linux releases the fd even when close(2) reports EINTR, so that is not an error.
static napi_value shim_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (get_args(env, info, 1, argv, NULL) || get_fd(env, argv[0], &fd)) return NULL;
  if (close(fd) < 0 && errno != EINTR) {
    throw_errno(env, errno, "close");
    return NULL;
  }
  return make_undefined(env);
}

// exit(code): _exit(2) — the process ends now, without Node's teardown (which joins V8's
// background threads and may wait for a compile job in flight). See exitNow in native.ts.
static napi_value shim_exit(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int code;
  if (get_args(env, info, 1, argv, NULL) || get_int(env, argv[0], "code", &code)) return NULL;
  _exit(code & 0xff);
}

// ---------------------------------------------------------------------------------------------
// Readiness: one uv_poll_t per socket.
//
// Lifetime: the struct is freed only when both the handle's close callback has run and the
// External that JS holds has been finalized (or the environment is being torn down, when the
// finalizer may never come). The JS callback is held by a strong reference while watching.

static const napi_type_tag WATCHER_TAG = {0x72746e6c5f736869ULL, 0x6d5f77617463680aULL};

struct watcher {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async_context;
  napi_async_cleanup_hook_handle cleanup_hook;
  int fd;
  bool paused;
  bool closing;
  bool closed;
  bool finalized;
  // Set when the watcher is closed because nobody can close the socket any more (the JS object
  // was collected, or the environment is being torn down): on_close then closes the fd too.
  bool close_fd;
};

static void maybe_free(struct watcher* w) {
  if (w->closed && w->finalized) free(w);
}

static void on_close(uv_handle_t* handle) {
  struct watcher* w = handle->data;
  w->closed = true;
  // After uv_close the loop no longer polls the fd, so its number can be released safely.
  if (w->close_fd) close(w->fd);
  if (w->cleanup_hook != NULL) {
    // Tells Node the environment's teardown may proceed (when it is what asked us to close).
    napi_remove_async_cleanup_hook(w->cleanup_hook);
    w->cleanup_hook = NULL;
  }
  maybe_free(w);
}

// Releases the JS-side resources; only from the main thread with the environment alive.
static void release_js(struct watcher* w) {
  if (w->callback != NULL) {
    napi_delete_reference(w->env, w->callback);
    w->callback = NULL;
  }
  if (w->async_context != NULL) {
    napi_async_destroy(w->env, w->async_context);
    w->async_context = NULL;
  }
}

static void start_close(struct watcher* w) {
  if (w->closing) return;
  w->closing = true;
  uv_close((uv_handle_t*)&w->poll, on_close);
}

// Environment teardown (process exit, worker exit) with the watcher still open: close the
// handle, or the loop cannot close. Node then runs the External's finalizer as part of the same
// teardown (napi_env's own cleanup hook was added at module load, so it runs after this one), and
// whichever of on_close / on_finalize comes second frees.
static void on_env_cleanup(napi_async_cleanup_hook_handle handle, void* arg) {
  struct watcher* w = arg;
  (void)handle;
  if (w->closing) return;  // on_close will remove the hook
  release_js(w);
  // A socket still open when its environment (a worker, the process) ends: nothing can close
  // it later, and in a worker the fd would outlive the thread in the process.
  w->close_fd = true;
  start_close(w);
}

static void on_finalize(napi_env env, void* data, void* hint) {
  struct watcher* w = data;
  (void)env;
  (void)hint;
  w->finalized = true;
  if (!w->closing) {
    // The External was dropped without unwatch(). While watching, the strong reference to the
    // callback keeps the socket object (and so the External) alive, as a dgram socket's handle
    // does; this runs only if that chain was broken some other way. Nobody can close the
    // socket any more, so close it here.
    release_js(w);
    w->close_fd = true;
    start_close(w);
    return;
  }
  maybe_free(w);
}

static void on_poll(uv_poll_t* handle, int status, int events);

static int start_poll(struct watcher* w) {
  return uv_poll_start(&w->poll, UV_READABLE, on_poll);
}

static void call_js(struct watcher* w, int status) {
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_value callback, global, argv[1], exception;
  if (w->callback == NULL) return;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, w->callback, &callback) == napi_ok && callback != NULL &&
      napi_get_global(env, &global) == napi_ok && napi_create_int32(env, status, &argv[0]) == napi_ok) {
    // napi_make_callback (not napi_call_function) so Node drains process.nextTick and the
    // microtask queue when the callback returns: promises settled by one readiness event run
    // before the next one is delivered.
    napi_status rc = napi_make_callback(env, w->async_context, global, callback, 1, argv, NULL);
    if (rc == napi_pending_exception &&
        napi_get_and_clear_last_exception(env, &exception) == napi_ok) {
      // Same as a throwing event listener anywhere in Node: 'uncaughtException'.
      napi_fatal_exception(env, exception);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t* handle, int status, int events) {
  struct watcher* w = handle->data;
  (void)events;
  if (w->closing) return;
  if (status == UV_EBADF) {
    // libuv reports POLLERR as UV_EBADF and stops the watcher (uv__poll_io). For netlink that is
    // sk_err being set, e.g. ENOBUFS from netlink_overrun(). Reading SO_ERROR clears it.
    int err = 0;
    socklen_t length = sizeof err;
    if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &length) < 0) {
      // The descriptor itself is bad; re-arming would spin on the same error.
      status = -errno;
    } else {
      status = -err;
      if (!w->paused) {
        int rc = start_poll(w);
        if (rc < 0 && status == 0) status = rc;
      }
    }
  }
  call_js(w, status);
}

static int get_watcher(napi_env env, napi_value value, struct watcher** out) {
  napi_valuetype type;
  bool tagged = false;
  void* data = NULL;
  if (napi_typeof(env, value, &type) != napi_ok) return -1;
  if (type != napi_external || napi_check_object_type_tag(env, value, &WATCHER_TAG, &tagged) != napi_ok ||
      !tagged || napi_get_value_external(env, value, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "watcher must be a value returned by watch()");
    return -1;
  }
  *out = data;
  return 0;
}

// watch(fd, callback(status)) -> External
static napi_value shim_watch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  napi_valuetype type;
  int fd;
  if (get_args(env, info, 2, argv, NULL) || get_fd(env, argv[0], &fd)) return NULL;
  if (napi_typeof(env, argv[1], &type) != napi_ok) return NULL;
  if (type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "callback must be a function");
    return NULL;
  }

  uv_loop_t* loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, NULL, "napi_get_uv_event_loop failed");
    return NULL;
  }
  struct watcher* w = calloc(1, sizeof *w);
  if (w == NULL) {
    throw_errno(env, ENOMEM, "malloc");
    return NULL;
  }
  w->env = env;
  w->fd = fd;

  int rc = uv_poll_init(loop, &w->poll, fd);  // UV_EEXIST if this loop already polls fd
  if (rc < 0) {
    free(w);
    throw_errno(env, -rc, "uv_poll_init");
    return NULL;
  }
  w->poll.data = w;

  napi_value external, name;
  if (napi_create_external(env, w, NULL, NULL, &external) != napi_ok ||
      napi_type_tag_object(env, external, &WATCHER_TAG) != napi_ok ||
      napi_create_string_utf8(env, "RTNL_NETLINK_SOCKET", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, external, name, &w->async_context) != napi_ok ||
      napi_create_reference(env, argv[1], 1, &w->callback) != napi_ok ||
      napi_add_async_cleanup_hook(env, on_env_cleanup, w, &w->cleanup_hook) != napi_ok) {
    release_js(w);
    w->finalized = true;
    start_close(w);
    throw_if_none(env, "watch: N-API setup failed");
    return NULL;
  }
  // The finalizer is attached last so that a failure above frees through on_close alone.
  if (napi_add_finalizer(env, external, w, on_finalize, NULL, NULL) != napi_ok) {
    release_js(w);
    w->finalized = true;
    start_close(w);
    throw_if_none(env, "watch: N-API setup failed");
    return NULL;
  }

  rc = start_poll(w);
  if (rc < 0) {
    // The External is already handed to the GC; its finalizer frees after on_close.
    release_js(w);
    start_close(w);
    throw_errno(env, -rc, "uv_poll_start");
    return NULL;
  }
  return external;
}

// pause(w): stop polling (backpressure). The kernel keeps queueing until SO_RCVBUF is full.
static napi_value shim_pause(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct watcher* w;
  if (get_args(env, info, 1, argv, NULL) || get_watcher(env, argv[0], &w)) return NULL;
  if (!w->closing && !w->paused) {
    w->paused = true;
    uv_poll_stop(&w->poll);
  }
  return make_undefined(env);
}

// resume(w): poll again; level-triggered, so data already queued is reported at once.
static napi_value shim_resume(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct watcher* w;
  if (get_args(env, info, 1, argv, NULL) || get_watcher(env, argv[0], &w)) return NULL;
  if (!w->closing && w->paused) {
    int rc = start_poll(w);
    if (rc < 0) {
      throw_errno(env, -rc, "uv_poll_start");
      return NULL;
    }
    w->paused = false;
  }
  return make_undefined(env);
}

static napi_value shim_ref(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct watcher* w;
  if (get_args(env, info, 1, argv, NULL) || get_watcher(env, argv[0], &w)) return NULL;
  if (!w->closing) uv_ref((uv_handle_t*)&w->poll);
  return make_undefined(env);
}

static napi_value shim_unref(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct watcher* w;
  if (get_args(env, info, 1, argv, NULL) || get_watcher(env, argv[0], &w)) return NULL;
  if (!w->closing) uv_unref((uv_handle_t*)&w->poll);
  return make_undefined(env);
}

// unwatch(w): close the poll handle; idempotent. Call it before close(fd): epoll must forget the
// descriptor before its number can be reused.
static napi_value shim_unwatch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  struct watcher* w;
  if (get_args(env, info, 1, argv, NULL) || get_watcher(env, argv[0], &w)) return NULL;
  if (!w->closing) {
    release_js(w);
    start_close(w);
  }
  return make_undefined(env);
}

// ---------------------------------------------------------------------------------------------
// Namespaces and mounts

// netnsCreate() -> fd of a new, anonymous network namespace.
static napi_value shim_netns_create(napi_env env, napi_callback_info info) {
  (void)info;
  struct ns_job job = {.op = NS_CREATE_FD};
  if (run_ns_job(env, &job)) return NULL;
  return make_int(env, job.result);
}

// netnsCreateAt(path): a new namespace bind-mounted onto `path` (an existing file).
static napi_value shim_netns_create_at(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char* path;
  if (get_args(env, info, 1, argv, NULL) || get_string(env, argv[0], "path", false, &path))
    return NULL;
  struct ns_job job = {.op = NS_CREATE_AT, .path = path};
  int rc = run_ns_job(env, &job);
  free(path);
  return rc ? NULL : make_undefined(env);
}

// tunCreate(name, flags, persist, netnsFd, owner, group) -> the device's name. `name` may be ""
// or a pattern such as "tap%d"; owner and group -1 leave them unset; netnsFd -1 is the caller's
// namespace, otherwise the device is made on a short-lived thread inside that namespace.
static napi_value shim_tun_create(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  char* name;
  int flags, netns_fd;
  bool persist;
  int64_t owner, group;
  napi_valuetype type;
  if (get_args(env, info, 6, argv, NULL) || get_int(env, argv[1], "flags", &flags) ||
      get_int(env, argv[3], "netnsFd", &netns_fd) ||
      get_integer(env, argv[4], "owner", -1, UINT32_MAX - 1, &owner) ||
      get_integer(env, argv[5], "group", -1, UINT32_MAX - 1, &group))
    return NULL;
  if (napi_typeof(env, argv[2], &type) != napi_ok) return NULL;
  if (type != napi_boolean) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "persist must be a boolean");
    return NULL;
  }
  napi_get_value_bool(env, argv[2], &persist);
  if (get_string(env, argv[0], "name", false, &name)) return NULL;
  if (strlen(name) >= IFNAMSIZ) {
    free(name);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE",
                           "name must be shorter than IFNAMSIZ (16) bytes");
    return NULL;
  }
  struct tun_spec tun = {.flags = flags, .persist = persist, .owner = owner, .group = group};
  strncpy(tun.name, name, IFNAMSIZ - 1);
  free(name);

  struct ns_job job = {.op = NS_TUN_CREATE, .netns_fd = netns_fd, .tun = &tun};
  if (netns_fd < 0) {
    // The caller's namespace: nothing to switch, so no thread.
    tun_create(&job);
    if (job.err != 0) {
      throw_errno(env, job.err, job.syscall);
      return NULL;
    }
  } else if (run_ns_job(env, &job)) {
    return NULL;
  }
  napi_value result;
  napi_create_string_utf8(env, tun.name, NAPI_AUTO_LENGTH, &result);
  return result;
}

// nsType(fd) -> the CLONE_NEW* flag of the namespace `fd` refers to: ioctl(NS_GET_NSTYPE),
// Linux 4.11. Throws ENOTTY for a file that is not a namespace.
static napi_value shim_ns_type(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (get_args(env, info, 1, argv, NULL) || get_fd(env, argv[0], &fd)) return NULL;
  int type = ioctl(fd, NS_GET_NSTYPE);
  if (type < 0) {
    throw_errno(env, errno, "ioctl(NS_GET_NSTYPE)");
    return NULL;
  }
  return make_int(env, type);
}

// mount(source, target, fstype, flags, data)
static napi_value shim_mount(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  char *source = NULL, *target = NULL, *fstype = NULL, *data = NULL;
  int64_t flags;
  napi_value result = NULL;
  if (get_args(env, info, 5, argv, NULL) ||
      get_string(env, argv[0], "source", true, &source) ||
      get_string(env, argv[1], "target", false, &target) ||
      get_string(env, argv[2], "fstype", true, &fstype) ||
      get_integer(env, argv[3], "flags", 0, UINT32_MAX, &flags) ||
      get_string(env, argv[4], "data", true, &data))
    goto out;
  if (mount(source, target, fstype, (unsigned long)flags, data) < 0) {
    throw_errno(env, errno, "mount");
    goto out;
  }
  result = make_undefined(env);
out:
  free(source);
  free(target);
  free(fstype);
  free(data);
  return result;
}

// umount(target, flags): umount2(2).
static napi_value shim_umount(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char* target;
  int flags;
  if (get_args(env, info, 2, argv, NULL) || get_int(env, argv[1], "flags", &flags) ||
      get_string(env, argv[0], "target", false, &target))
    return NULL;
  int rc = umount2(target, flags);
  int err = errno;
  free(target);
  if (rc < 0) {
    throw_errno(env, err, "umount2");
    return NULL;
  }
  return make_undefined(env);
}

// ---------------------------------------------------------------------------------------------

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
#define FN(name, fn) {name, NULL, fn, NULL, NULL, NULL, napi_enumerable, NULL}
      FN("open", shim_open),
      FN("bind", shim_bind),
      FN("setsockopt", shim_setsockopt),
      FN("getsockopt", shim_getsockopt),
      FN("send", shim_send),
      FN("recv", shim_recv),
      FN("recvNsid", shim_recv_nsid),
      FN("watch", shim_watch),
      FN("pause", shim_pause),
      FN("resume", shim_resume),
      FN("ref", shim_ref),
      FN("unref", shim_unref),
      FN("unwatch", shim_unwatch),
      FN("close", shim_close),
      FN("netnsCreate", shim_netns_create),
      FN("netnsCreateAt", shim_netns_create_at),
      FN("mount", shim_mount),
      FN("umount", shim_umount),
      FN("tunCreate", shim_tun_create),
      FN("nsType", shim_ns_type),
      FN("exit", shim_exit),
      FN("sequenceOpen", shim_sequence_open),
      FN("sequencePush", shim_sequence_push),
      FN("sequenceEnd", shim_sequence_end),
#undef FN
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) !=
      napi_ok)
    return NULL;
  return exports;
}
