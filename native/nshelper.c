// rtnl_nshelper: run a command inside a network namespace with the semantics of
// `ip netns exec`. A thread cannot get a mount namespace of its own (unshare(CLONE_NEWNS) fails
// in a threaded process such as Node), so this small single-threaded program does the switch and
// then execs the command; the process Node spawned *is* the command afterwards, so its pid, exit
// code, signals and stdio are the command's.
//
//   rtnl_nshelper [--name NAME | --path PATH | --fd N] [--etc NAME | --no-etc]
//                 [--isolate-registry] [--status-fd N] [--] COMMAND [ARG...]
//
// Steps: open the namespace → setns(CLONE_NEWNET) → unshare(CLONE_NEWNS) → mount --make-rslave /
// → umount /sys (MNT_DETACH) and mount a fresh sysfs there (read-only when the old one was) →
// bind-mount every file of /etc/netns/NAME/ over /etc/<file> when that target exists → (with
// --isolate-registry) an empty tmpfs over /run/netns → execvp(COMMAND, ARGS) with the environment
// as given. With no namespace option the process stays in its network namespace and only gets
// the private mount namespace (and the isolated registry).
//
// A failure before exec is reported on --status-fd as one line,
//   "rtnl-nshelper\t<step>\t<errno>\t<detail>\n",
// (on stderr in words when there is no status fd), and the exit code says what kind it was:
// 125 the helper failed, 126 the command could not be executed, 127 the command was not found
// (the shell's conventions). The status fd is close-on-exec, so a successful exec closes it
// without a word.

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <linux/nsfs.h>

#define EXIT_HELPER 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

// iproute2's NETNS_RUN_DIR and NETNS_ETC_DIR.
#define NETNS_RUN_DIR "/run/netns"
#define NETNS_ETC_DIR "/etc/netns"

static int status_fd = -1;

// Reports a failed step and exits. `detail` names the object (a path, a command).
static void fail(int code, const char* step, int err, const char* detail) {
  if (status_fd >= 0) {
    char line[PATH_MAX + 128];
    int n = snprintf(line, sizeof line, "rtnl-nshelper\t%s\t%d\t", step, err);
    // One line: a detail with a newline or tab in it must not break the framing.
    for (const char* p = detail; *p != '\0' && n < (int)sizeof line - 2; p++)
      line[n++] = (*p == '\n' || *p == '\t') ? ' ' : *p;
    line[n++] = '\n';
    ssize_t ignored = write(status_fd, line, (size_t)n);
    (void)ignored;
  } else {
    fprintf(stderr, "rtnl-nshelper: %s %s: %s\n", step, detail, err ? strerror(err) : "failed");
  }
  _exit(code);
}

static void usage(const char* why) {
  fail(EXIT_HELPER, "usage", EINVAL, why);
}

// iproute2's invalid_name(): not empty, at most NAME_MAX bytes, no '/', not '.' or '..'.
static bool valid_name(const char* name) {
  return *name != '\0' && strlen(name) <= NAME_MAX && strchr(name, '/') == NULL &&
         strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int parse_fd(const char* text) {
  char* end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || *text == '\0' || *end != '\0' || value < 0 || value > INT_MAX) return -1;
  return (int)value;
}

// Bind-mounts each file of /etc/netns/NAME over the same name in /etc, as iproute2's bind_etc()
// does, but only where the target exists (a bind mount needs one). Failures are reported on
// stderr and do not stop the command, as in iproute2.
static void bind_etc(const char* name) {
  char dir_path[sizeof NETNS_ETC_DIR + NAME_MAX + 1];
  char source[PATH_MAX];
  char target[PATH_MAX];
  snprintf(dir_path, sizeof dir_path, "%s/%s", NETNS_ETC_DIR, name);
  DIR* dir = opendir(dir_path);
  if (dir == NULL) return;
  struct dirent* entry;
  while ((entry = readdir(dir)) != NULL) {
    if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) continue;
    snprintf(source, sizeof source, "%s/%s", dir_path, entry->d_name);
    snprintf(target, sizeof target, "/etc/%s", entry->d_name);
    if (access(target, F_OK) != 0) continue;
    if (mount(source, target, "none", MS_BIND, NULL) < 0) {
      fprintf(stderr, "rtnl-nshelper: bind %s -> %s failed: %s\n", source, target,
              strerror(errno));
    }
  }
  closedir(dir);
}

int main(int argc, char** argv) {
  const char* name = NULL;
  const char* path = NULL;
  const char* etc = NULL;
  bool no_etc = false;
  bool isolate = false;
  int netns_fd = -1;
  int i = 1;

  for (; i < argc; i++) {
    const char* arg = argv[i];
    bool has_value = i + 1 < argc;
    if (strcmp(arg, "--") == 0) {
      i++;
      break;
    } else if (strcmp(arg, "--name") == 0 && has_value) {
      name = argv[++i];
      if (!valid_name(name)) usage("invalid namespace name");
    } else if (strcmp(arg, "--path") == 0 && has_value) {
      path = argv[++i];
    } else if (strcmp(arg, "--fd") == 0 && has_value) {
      netns_fd = parse_fd(argv[++i]);
      if (netns_fd < 0) usage("--fd needs a descriptor number");
    } else if (strcmp(arg, "--etc") == 0 && has_value) {
      etc = argv[++i];
      if (!valid_name(etc)) usage("invalid /etc/netns name");
    } else if (strcmp(arg, "--no-etc") == 0) {
      no_etc = true;
    } else if (strcmp(arg, "--isolate-registry") == 0) {
      isolate = true;
    } else if (strcmp(arg, "--status-fd") == 0 && has_value) {
      status_fd = parse_fd(argv[++i]);
      if (status_fd < 0) usage("--status-fd needs a descriptor number");
      // Closed by a successful exec: the parent reads EOF and knows the command runs.
      if (fcntl(status_fd, F_SETFD, FD_CLOEXEC) < 0) {
        int err = errno;
        status_fd = -1;
        fail(EXIT_HELPER, "status-fd", err, argv[i]);
      }
    } else if (arg[0] == '-') {
      usage(arg);
    } else {
      break;
    }
  }
  if (i >= argc) usage("no command given");
  if ((name != NULL) + (path != NULL) + (netns_fd >= 0) > 1)
    usage("--name, --path and --fd exclude each other");
  if (etc == NULL && !no_etc) etc = name;
  if (no_etc) etc = NULL;

  bool enter = name != NULL || path != NULL || netns_fd >= 0;
  if (enter) {
    char run_path[sizeof NETNS_RUN_DIR + NAME_MAX + 1];
    const char* what = path;
    if (name != NULL) {
      snprintf(run_path, sizeof run_path, "%s/%s", NETNS_RUN_DIR, name);
      what = run_path;
    }
    if (netns_fd < 0) {
      netns_fd = open(what, O_RDONLY | O_CLOEXEC);
      if (netns_fd < 0) fail(EXIT_HELPER, "open", errno, what);
    } else {
      what = "--fd";
    }
    // NS_GET_NSTYPE (Linux 4.11) tells a network namespace from any other file or namespace.
    int type = ioctl(netns_fd, NS_GET_NSTYPE);
    if (type < 0 && errno == ENOTTY) fail(EXIT_HELPER, "check", EINVAL, what);
    if (type >= 0 && type != CLONE_NEWNET) fail(EXIT_HELPER, "check", EINVAL, what);
    if (setns(netns_fd, CLONE_NEWNET) < 0) fail(EXIT_HELPER, "setns", errno, what);
    close(netns_fd);
  }

  if (unshare(CLONE_NEWNS) < 0) fail(EXIT_HELPER, "unshare", errno, "CLONE_NEWNS");
  // Nothing mounted from here on may propagate back to the caller's mount namespace.
  if (mount("", "/", "none", MS_SLAVE | MS_REC, NULL) < 0)
    fail(EXIT_HELPER, "make-rslave", errno, "/");

  if (enter) {
    // A sysfs mounted now describes the namespace this process is in.
    unsigned long flags = 0;
    struct statvfs st;
    if (statvfs("/sys", &st) == 0 && (st.f_flag & ST_RDONLY)) flags = MS_RDONLY;
    umount2("/sys", MNT_DETACH);  // may fail when nothing is mounted there: fine
    if (mount(name != NULL ? name : "sysfs", "/sys", "sysfs", flags, NULL) < 0)
      fail(EXIT_HELPER, "mount-sys", errno, "/sys");
  }

  if (etc != NULL) bind_etc(etc);

  if (isolate) {
    if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
      fail(EXIT_HELPER, "isolate-registry", errno, NETNS_RUN_DIR);
    if (mount("rtnl-netns", NETNS_RUN_DIR, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "mode=0755") < 0)
      fail(EXIT_HELPER, "isolate-registry", errno, NETNS_RUN_DIR);
  }

  execvp(argv[i], argv + i);
  int err = errno;
  fail(err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "exec", err, argv[i]);
  return EXIT_HELPER;
}
