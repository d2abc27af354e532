/*
 * nlref — the C peer the rtnl benchmarks are measured against.
 *
 * A plain rtnetlink client on a raw AF_NETLINK socket (no libmnl), configured the way rtnl's
 * shim configures its sockets (NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK, a large
 * SO_RCVBUF, one reused 64 KiB receive buffer read with MSG_TRUNC), so the JS/C ratio measures
 * the library rather than a difference in socket setup.
 *
 * Usage:
 *   nlref NETNS_PATH ack N           N sequential RTM_NEWLINK request+ack round trips on lo
 *   nlref NETNS_PATH dump R TABLE    R dumps of the IPv4 routes in TABLE (1..252)
 *   nlref NETNS_PATH add N TABLE     add N routes 10.x.y.0/24 dev lo to TABLE, then delete them
 *   nlref NETNS_PATH seq N TABLE     the same one request at a time, each checked before the next
 *                                    (both timed apart), pipelined: up to 64 requests per
 *                                    datagram and 64 unacknowledged, as rtnl's engine does
 *
 * NETNS_PATH is a network namespace file (e.g. /proc/<pid>/fd/<n>); the process setns()es into
 * it before opening the socket, so it never measures or touches the host's namespace.
 * Prints one JSON object on stdout.
 *
 * Build: cc -O2 -o bench/build/nlref bench/c/nlref.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Same as rtnl's default socket options (docs/INTERFACES.md): big enough that a dump never
 * overruns it, and a receive buffer above the 32 KiB the kernel fills dump datagrams up to. */
#define RCVBUF_BYTES (4 * 1024 * 1024)
#define RECV_BUFFER_BYTES (64 * 1024)

static unsigned char recv_buffer[RECV_BUFFER_BYTES] __attribute__((aligned(8)));

static void die(const char *what) {
  fprintf(stderr, "nlref: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void fail(const char *message) {
  fprintf(stderr, "nlref: %s\n", message);
  exit(1);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Even a no-op RTM_NEWLINK goes through the write path of a live device, and a wrong path is an
 * easy mistake: refuse to run in the namespace we were started in (normally the host's). */
static void enter_netns(const char *path) {
  struct stat own, target;
  if (stat("/proc/self/ns/net", &own) < 0) die("/proc/self/ns/net");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path);
  if (fstat(fd, &target) < 0) die(path);
  if (own.st_dev == target.st_dev && own.st_ino == target.st_ino)
    fail("refusing to run in our own network namespace; pass a sandbox namespace");
  if (setns(fd, CLONE_NEWNET) < 0) die("setns");
  close(fd);
}

static void set_int_option(int fd, int level, int name, int value, const char *what) {
  if (setsockopt(fd, level, name, &value, sizeof(value)) < 0) die(what);
}

static int open_route_socket(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) die("socket");
  /* SO_RCVBUFFORCE ignores net.core.rmem_max (we run as root); fall back if it is refused. */
  int size = RCVBUF_BYTES;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
    set_int_option(fd, SOL_SOCKET, SO_RCVBUF, RCVBUF_BYTES, "SO_RCVBUF");
  set_int_option(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
  set_int_option(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
  set_int_option(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1, "NETLINK_GET_STRICT_CHK");
  struct sockaddr_nl local = {.nl_family = AF_NETLINK}; /* nl_pid 0: the kernel autobinds */
  if (bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) die("bind");
  return fd;
}

static void send_to_kernel(int fd, const void *message, size_t length) {
  static const struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  ssize_t sent = sendto(fd, message, length, 0, (const struct sockaddr *)&kernel, sizeof(kernel));
  if (sent < 0) die("sendto");
  if ((size_t)sent != length) fail("short sendto");
}

/* One datagram into the reused buffer; MSG_TRUNC makes recv report the real length so a
 * datagram larger than the buffer is detected instead of silently cut. */
static size_t receive(int fd) {
  ssize_t length;
  do {
    length = recv(fd, recv_buffer, sizeof(recv_buffer), MSG_TRUNC);
  } while (length < 0 && errno == EINTR);
  if (length < 0) die("recv");
  if ((size_t)length > sizeof(recv_buffer)) fail("datagram truncated");
  return (size_t)length;
}

/* ---- ack: request + ack round trips ------------------------------------------------------- */

/*
 * RTM_NEWLINK for ifindex 1 (lo) with ifi_flags = ifi_change = 0 and no attributes, flags
 * NLM_F_REQUEST | NLM_F_ACK: do_setlink() finds nothing to change, so the kernel takes the rtnl
 * lock, looks the device up and acks. rtnl's bench sends the same 32 bytes (seq aside).
 */
struct newlink_request {
  struct nlmsghdr header;
  struct ifinfomsg ifinfo;
};

static double run_ack(int fd, long count) {
  struct newlink_request request;
  memset(&request, 0, sizeof(request));
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_NEWLINK;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.ifinfo.ifi_family = AF_UNSPEC;
  request.ifinfo.ifi_index = 1;

  /* Warm caches and the kernel's paths before timing, as the JS side does. */
  long warmup = count / 10 < 1000 ? count / 10 : 1000;
  uint32_t seq = 0;
  uint64_t start = 0;
  for (long i = -warmup; i < count; i++) {
    if (i == 0) start = now_ns();
    request.header.nlmsg_seq = ++seq;
    send_to_kernel(fd, &request, sizeof(request));
    size_t length = receive(fd);
    const struct nlmsghdr *reply = (const struct nlmsghdr *)recv_buffer;
    if (!NLMSG_OK(reply, length) || reply->nlmsg_type != NLMSG_ERROR) fail("expected an ack");
    if (reply->nlmsg_seq != seq) fail("ack for another sequence number");
    const struct nlmsgerr *ack = NLMSG_DATA(reply);
    if (ack->error != 0) {
      errno = -ack->error;
      die("RTM_NEWLINK");
    }
  }
  return count > 0 ? (double)(now_ns() - start) / (double)count : 0.0;
}

/* ---- dump: walk every message and every top-level attribute ---------------------------------- */

struct dump_request {
  struct nlmsghdr header;
  struct rtmsg route;
};

struct dump_tally {
  uint64_t datagrams;
  uint64_t messages;
  uint64_t attributes;
  uint64_t bytes;
  /* Sum of attribute types and lengths and of RTA_OIF values: a result that depends on every
   * attribute, printed so the compiler cannot discard the walk. */
  uint64_t checksum;
};

static void dump_once(int fd, uint32_t seq, unsigned table, struct dump_tally *tally) {
  struct dump_request request;
  memset(&request, 0, sizeof(request));
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = RTM_GETROUTE;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = seq;
  /* With NETLINK_GET_STRICT_CHK a non-zero rtm_table makes the kernel dump only that table. */
  request.route.rtm_family = AF_INET;
  request.route.rtm_table = (unsigned char)table;
  send_to_kernel(fd, &request, sizeof(request));

  memset(tally, 0, sizeof(*tally));
  for (;;) {
    size_t length = receive(fd);
    tally->datagrams++;
    tally->bytes += length;
    int remaining = (int)length;
    for (const struct nlmsghdr *message = (const struct nlmsghdr *)recv_buffer;
         NLMSG_OK(message, remaining); message = NLMSG_NEXT(message, remaining)) {
      if (message->nlmsg_seq != seq) fail("dump message for another sequence number");
      if (message->nlmsg_flags & NLM_F_DUMP_INTR) fail("dump interrupted");
      if (message->nlmsg_type == NLMSG_DONE) return;
      if (message->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *error = NLMSG_DATA(message);
        errno = -error->error;
        die("RTM_GETROUTE dump");
      }
      if (message->nlmsg_type != RTM_NEWROUTE) fail("unexpected message type in dump");
      tally->messages++;
      const struct rtmsg *route = NLMSG_DATA(message);
      int attributes_length = (int)RTM_PAYLOAD(message);
      for (const struct rtattr *attribute = RTM_RTA(route); RTA_OK(attribute, attributes_length);
           attribute = RTA_NEXT(attribute, attributes_length)) {
        tally->attributes++;
        tally->checksum += attribute->rta_type + attribute->rta_len;
        if (attribute->rta_type == RTA_OIF && RTA_PAYLOAD(attribute) >= sizeof(uint32_t))
          tally->checksum += *(const uint32_t *)RTA_DATA(attribute);
      }
    }
    if (remaining != 0) fail("malformed datagram");
  }
}

/* ---- add: N route adds, pipelined --------------------------------------------------------- */

struct route_request {
  struct nlmsghdr header;
  struct rtmsg route;
  struct rtattr dst_attr;
  uint32_t dst;
  struct rtattr oif_attr;
  uint32_t oif;
};

#define WINDOW 64

/* The i-th route of the set: 10.(i / 256 % 256).(i % 256).0/24, as the JS side numbers them. */
static void fill_route(struct route_request *r, uint16_t type, uint16_t flags, uint32_t seq,
                       unsigned table, long i) {
  memset(r, 0, sizeof(*r));
  r->header.nlmsg_len = sizeof(*r);
  r->header.nlmsg_type = type;
  r->header.nlmsg_flags = flags;
  r->header.nlmsg_seq = seq;
  r->route.rtm_family = AF_INET;
  r->route.rtm_dst_len = 24;
  r->route.rtm_table = (unsigned char)table;
  r->route.rtm_protocol = RTPROT_STATIC;
  r->route.rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
  r->route.rtm_type = RTN_UNICAST;
  r->dst_attr.rta_len = RTA_LENGTH(4);
  r->dst_attr.rta_type = RTA_DST;
  unsigned char *d = (unsigned char *)&r->dst;
  d[0] = 10 + (unsigned char)(i / 65536);
  d[1] = (unsigned char)(i / 256 % 256);
  d[2] = (unsigned char)(i % 256);
  d[3] = 0;
  r->oif_attr.rta_len = RTA_LENGTH(4);
  r->oif_attr.rta_type = RTA_OIF;
  r->oif = 1; /* lo */
}

/* Returns ms. Keeps at most WINDOW requests unacknowledged; each sendto carries as many new
 * requests as the window allows. */
static double run_batch(int fd, uint16_t type, uint16_t flags, long count, unsigned table) {
  static struct route_request batch[WINDOW];
  uint32_t seq = 0, acked_seq = 0;
  long sent = 0, acked = 0;
  uint64_t start = now_ns();
  while (acked < count) {
    long room = WINDOW - (sent - acked);
    long n = count - sent < room ? count - sent : room;
    if (n > 0) {
      for (long k = 0; k < n; k++) fill_route(&batch[k], type, flags, ++seq, table, sent + k);
      send_to_kernel(fd, batch, (size_t)n * sizeof(batch[0]));
      sent += n;
    }
    size_t length = receive(fd);
    int remaining = (int)length;
    for (const struct nlmsghdr *m = (const struct nlmsghdr *)recv_buffer; NLMSG_OK(m, remaining);
         m = NLMSG_NEXT(m, remaining)) {
      if (m->nlmsg_type != NLMSG_ERROR) fail("expected an ack");
      const struct nlmsgerr *ack = NLMSG_DATA(m);
      if (ack->error != 0) {
        errno = -ack->error;
        die(type == RTM_NEWROUTE ? "RTM_NEWROUTE" : "RTM_DELROUTE");
      }
      if (m->nlmsg_seq != acked_seq + 1) fail("acks out of order");
      acked_seq = m->nlmsg_seq;
      acked++;
    }
  }
  return (double)(now_ns() - start) / 1e6;
}

/* Returns ms. One request at a time, without NLM_F_ACK: rtnetlink handles a request inside its
 * sendto, so a non-blocking read right after it finds the refusal if there is one (the ordered
 * mode of rtnl's bulk, stopOnError: nothing after a refusal may leave). */
static double run_sequence(int fd, uint16_t type, uint16_t flags, long count, unsigned table) {
  struct route_request r;
  uint64_t start = now_ns();
  for (long i = 0; i < count; i++) {
    fill_route(&r, type, flags, (uint32_t)i + 1, table, i);
    send_to_kernel(fd, &r, sizeof(r));
    ssize_t n;
    do {
      n = recv(fd, recv_buffer, sizeof(recv_buffer), MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n >= 0) fail(type == RTM_NEWROUTE ? "RTM_NEWROUTE refused" : "RTM_DELROUTE refused");
    if (errno != EAGAIN && errno != EWOULDBLOCK) die("recv");
  }
  return (double)(now_ns() - start) / 1e6;
}

static void run_seq(int fd, long count, unsigned table) {
  double add_ms = run_sequence(fd, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL, count,
                               table);
  double del_ms = run_sequence(fd, RTM_DELROUTE, NLM_F_REQUEST, count, table);
  printf("{\"mode\":\"seq\",\"n\":%ld,\"table\":%u,\"add_ms\":%.4f,\"del_ms\":%.4f}\n", count,
         table, add_ms, del_ms);
}

static void run_add(int fd, long count, unsigned table) {
  double add_ms = run_batch(fd, RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                            count, table);
  double del_ms = run_batch(fd, RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, count, table);
  printf("{\"mode\":\"add\",\"n\":%ld,\"table\":%u,\"add_ms\":%.4f,\"del_ms\":%.4f}\n", count,
         table, add_ms, del_ms);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void run_dump(int fd, long repetitions, unsigned table) {
  double *ms = calloc((size_t)repetitions, sizeof(double));
  if (!ms) die("calloc");
  struct dump_tally tally, first;
  uint32_t seq = 0;
  /* One untimed dump: it also shows the kernel our 64 KiB reader, so later dumps get full
   * 32 KiB datagrams from the first one on (the JS connection gets the same warm-up). */
  dump_once(fd, ++seq, table, &first);
  for (long i = 0; i < repetitions; i++) {
    uint64_t start = now_ns();
    dump_once(fd, ++seq, table, &tally);
    ms[i] = (double)(now_ns() - start) / 1e6;
    if (tally.messages != first.messages) fail("route count changed between dumps");
  }
  double *sorted = malloc((size_t)repetitions * sizeof(double));
  if (!sorted) die("malloc");
  memcpy(sorted, ms, (size_t)repetitions * sizeof(double));
  qsort(sorted, (size_t)repetitions, sizeof(double), compare_doubles);
  double median = repetitions % 2 ? sorted[repetitions / 2]
                                  : (sorted[repetitions / 2 - 1] + sorted[repetitions / 2]) / 2;
  printf("{\"mode\":\"dump\",\"repetitions\":%ld,\"table\":%u,\"best_ms\":%.4f,\"median_ms\":%.4f,"
         "\"messages\":%" PRIu64 ",\"attributes\":%" PRIu64 ",\"datagrams\":%" PRIu64
         ",\"bytes\":%" PRIu64 ",\"checksum\":%" PRIu64 ",\"ms\":[",
         repetitions, table, sorted[0], median, tally.messages, tally.attributes,
         tally.datagrams, tally.bytes, tally.checksum);
  for (long i = 0; i < repetitions; i++) printf("%s%.4f", i ? "," : "", ms[i]);
  printf("]}\n");
  free(sorted);
  free(ms);
}

static long parse_count(const char *text, long min, long max, const char *what) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno || *end || end == text || value < min || value > max) {
    fprintf(stderr, "nlref: bad %s '%s' (expected %ld..%ld)\n", what, text, min, max);
    exit(2);
  }
  return value;
}

static void usage(void) {
  fprintf(stderr,
          "usage: nlref NETNS_PATH ack N\n"
          "       nlref NETNS_PATH dump REPETITIONS TABLE\n"
          "       nlref NETNS_PATH add N TABLE\n"
          "       nlref NETNS_PATH seq N TABLE\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 4) usage();
  enter_netns(argv[1]);
  int fd = open_route_socket();
  if (strcmp(argv[2], "ack") == 0 && argc == 4) {
    long count = parse_count(argv[3], 1, 100000000, "N");
    double ns = run_ack(fd, count);
    printf("{\"mode\":\"ack\",\"n\":%ld,\"ns_per_op\":%.1f}\n", count, ns);
  } else if (strcmp(argv[2], "dump") == 0 && argc == 5) {
    long repetitions = parse_count(argv[3], 1, 100000, "REPETITIONS");
    /* 253..255 are default/main/local; a bench table of its own stays below them so it fits
     * rtm_table and the request needs no RTA_TABLE attribute. */
    unsigned table = (unsigned)parse_count(argv[4], 1, 252, "TABLE");
    run_dump(fd, repetitions, table);
  } else if (strcmp(argv[2], "add") == 0 && argc == 5) {
    long count = parse_count(argv[3], 1, 1000000, "N");
    unsigned table = (unsigned)parse_count(argv[4], 1, 252, "TABLE");
    run_add(fd, count, table);
  } else if (strcmp(argv[2], "seq") == 0 && argc == 5) {
    long count = parse_count(argv[3], 1, 1000000, "N");
    unsigned table = (unsigned)parse_count(argv[4], 1, 252, "TABLE");
    run_seq(fd, count, table);
  } else {
    usage();
  }
  close(fd);
  return 0;
}
