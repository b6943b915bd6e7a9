/*
 * The kernel's floor for a kakoi spawn: the same system calls kakoi's child
 * program makes for `run(["/bin/true"])` with a seccomp filter, made from C
 * with nothing else around them, timed inside this process (clock_gettime)
 * from the clone to the reap. bench/spawn-latency.ts runs it beside kakoi.
 *
 *   spawn-reference FILTER   FILTER: a BPF program (struct sock_filter[]) to install
 *
 * Reads one letter per spawn from stdin and answers with the spawn's time in
 * ms on a line of its own:
 *   g  containment "process-group": clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD)
 *      straight into the target's preparation (parent-death signal and check,
 *      every signal to its default, the mask cleared, /dev/null on 0-2, every
 *      other fd closed, setsid, no-new-privs, the filter) and execve;
 *   n  containment "namespaces": the clone makes a pid namespace (and a user
 *      namespace unless root) whose init, sharing this process's memory,
 *      prepares as above and vforks the target, which enters a Landlock domain
 *      (ptrace, signal and abstract-socket scopes), a mount namespace of its own
 *      (MS_SLAVE from /, a fresh /proc with hidepid=ptraceable), installs the
 *      filter and execs; the init reaps it and exits.
 * The parent reaps the child through its pidfd in both.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* struct landlock_ruleset_attr of ABI 6: no access rights, only scopes (signal, abstract unix socket). */
struct ruleset_attr {
  unsigned long long handled_access_fs, handled_access_net, scoped;
};

static struct sock_fprog filter;
static int ruleset = -1;
static int dev_null = -1;
static int user_namespace;
static char *const target_argv[] = {"/bin/true", NULL};
static char *const target_env[] = {NULL};
static char *init_stack, *target_stack;
static int own_pidfd = -1;
static const size_t stack_size = 1 << 16;

static void fail(const char *what) {
  perror(what);
  exit(1);
}

static double now_ms(void) {
  struct timespec at;
  clock_gettime(CLOCK_MONOTONIC, &at);
  return at.tv_sec * 1e3 + at.tv_nsec / 1e6;
}

/* The fd the Landlock ruleset is passed on, as kakoi passes a step's fd. */
#define RULESET_FD 3

/* What every child program does first: the parent-death signal, signals to default, stdio, other fds closed. */
static void prepare(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(120);
  if (parent != 0 && getppid() != parent) _exit(121);
  if (parent == 0) {
    /* As kakoi's init: the parent's process is polled through a pidfd (getppid is 0 in a new pid namespace). */
    struct pollfd parent_process = {own_pidfd, POLLIN, 0};
    struct timespec now = {0, 0};
    if (ppoll(&parent_process, 1, &now, NULL) != 0) _exit(121);
  }
  for (int signal = 1; signal <= 64; signal++) {
    if (signal == SIGKILL || signal == SIGSTOP) continue;
    struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } action = {SIG_DFL, 0, NULL, 0};
    syscall(SYS_rt_sigaction, signal, &action, NULL, 8);
  }
  for (int fd = 0; fd < 3; fd++) if (dup3(dev_null, fd, 0) != fd) _exit(122);
  if (dup3(ruleset, RULESET_FD, O_CLOEXEC) != RULESET_FD) _exit(122);
  if (syscall(SYS_close_range, RULESET_FD + 1, ~0U, 0) != 0) _exit(123);
}

static void unblock(void) {
  unsigned long none = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
}

static void exec_filtered(void) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(124);
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &filter) != 0) _exit(125);
  execve(target_argv[0], target_argv, target_env);
  _exit(127);
}

static pid_t parent_pid;

static int plain_child(void *unused) {
  (void)unused;
  prepare(parent_pid);
  unblock();
  if (setsid() < 0) _exit(126);
  exec_filtered();
  return 0;
}

static int contained_target(void *unused) {
  (void)unused;
  unblock();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(110);
  if (syscall(SYS_landlock_restrict_self, RULESET_FD, 0) != 0) _exit(111);
  if (unshare(CLONE_NEWNS) != 0) _exit(112);
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) _exit(113);
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=ptraceable") != 0) _exit(114);
  exec_filtered();
  return 0;
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t length = 0;
  while (text[length] != 0) length++;
  ssize_t written = write(fd, text, length);
  close(fd);
  return written == length ? 0 : -1;
}

static char uid_map[64], gid_map[64];

static int init(void *unused) {
  (void)unused;
  prepare(0);

  if (user_namespace && (write_file("/proc/self/setgroups", "deny") || write_file("/proc/self/uid_map", uid_map) || write_file("/proc/self/gid_map", gid_map))) _exit(100);
  pid_t target = clone(contained_target, target_stack + stack_size, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, NULL);
  if (target < 0) _exit(101);
  int status = 0;
  if (waitpid(target, &status, 0) != target) _exit(102);
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* One spawn to its reap; returns its time in ms, or exits with the child's failure. */
static double spawn_once(int contained) {
  sigset_t all, saved;
  sigfillset(&all);
  int pidfd = -1;
  double started = now_ms();
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  int flags = contained ? CLONE_VM | CLONE_PIDFD | CLONE_NEWPID | (user_namespace ? CLONE_NEWUSER : 0) : CLONE_VM | CLONE_VFORK | CLONE_PIDFD;
  pid_t child = clone(contained ? init : plain_child, init_stack + stack_size, flags, NULL, &pidfd);
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  if (child < 0) fail("clone");
  siginfo_t info = {0};
  if (waitid(P_PIDFD, pidfd, &info, WEXITED | __WALL) != 0) fail("waitid");
  double ended = now_ms();
  close(pidfd);
  if (info.si_code != CLD_EXITED || info.si_status != 0) {
    fprintf(stderr, "the reference child ended with code %d status %d\n", info.si_code, info.si_status);
    exit(1);
  }
  return ended - started;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILTER\n", argv[0]);
    return 2;
  }
  static struct sock_filter instructions[4096];
  FILE *file = fopen(argv[1], "rb");
  if (file == NULL) fail(argv[1]);
  size_t count = fread(instructions, sizeof instructions[0], 4096, file);
  fclose(file);
  if (count == 0) fail("the filter is empty");
  filter = (struct sock_fprog){.len = (unsigned short)count, .filter = instructions};
  struct ruleset_attr attr = {0, 0, 3};
  ruleset = syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (ruleset < 0) fail("landlock_create_ruleset");
  dev_null = open("/dev/null", O_RDWR | O_CLOEXEC);
  /* Above the fds the children dup onto (0-3), as kakoi keeps its own. */
  ruleset = fcntl(ruleset, F_DUPFD_CLOEXEC, 10);
  dev_null = fcntl(dev_null, F_DUPFD_CLOEXEC, 10);
  if (ruleset < 0 || dev_null < 0) fail("fcntl");
  user_namespace = geteuid() != 0;
  snprintf(uid_map, sizeof uid_map, "%d %d 1", geteuid(), geteuid());
  snprintf(gid_map, sizeof gid_map, "%d %d 1", getegid(), getegid());
  parent_pid = getpid();
  own_pidfd = fcntl(syscall(SYS_pidfd_open, parent_pid, 0), F_DUPFD_CLOEXEC, 10);
  if (own_pidfd < 0) fail("pidfd_open");
  init_stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  target_stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (init_stack == MAP_FAILED || target_stack == MAP_FAILED) fail("mmap");
  setvbuf(stdout, NULL, _IONBF, 0);
  for (int letter; (letter = getchar()) != EOF;) {
    if (letter == 'g' || letter == 'n') printf("%.6f\n", spawn_once(letter == 'n'));
  }
  return 0;
}
