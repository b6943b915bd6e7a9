/*
 * Test harness for the child-program interpreter (test/core/program-run.test.ts):
 * does what an adapter does, in C, so the machine code runs for real without
 * any FFI. Usage:
 *   program-harness CODE BLOCK ADDRESS ENTRY VFORK OUT [PID_AT]
 * CODE/BLOCK: files with the interpreter and the block image fixed up for
 * ADDRESS (hex), where the block is mapped read-only (the interpreter must not
 * write it). The block was compiled with stdio 10, 11, 12 and control 13: the
 * harness moves its own 0..2 there and makes a socketpair for the control
 * channel. It leaves fd 20 open without O_CLOEXEC (a leak the child must not
 * keep), ignores SIGPIPE and handles SIGUSR1 (dispositions the child must
 * reset), blocks all signals around clone like posix_spawn. VFORK=1 clones
 * with CLONE_VM | CLONE_VFORK as an adapter does without a listener, VFORK=0
 * with CLONE_VM alone as it does with one, VFORK=fork without CLONE_VM (what
 * qemu-user can emulate: it turns CLONE_VM without CLONE_THREAD into EINVAL).
 * Without CLONE_VFORK it plays the supervisor's handshake: on the
 * "installing listener" record it takes fd 4 with pidfd_getfd, checks it is a
 * seccomp listener, and sends the go-ahead byte; on an init's "started" record
 * it sends the byte the init waits for before it reaps.
 * PID_AT: a byte offset in the block where the harness writes its own pid
 * (i32) before mapping it read-only: the parent check's expected value.
 * Environment: KAKOI_CLONE_FLAGS (decimal) adds namespace flags to the clone
 * (ChildProgram.cloneFlags); KAKOI_SIGNAL_AFTER_START sends that signal to the
 * child once a pid-namespace init reports its target started; KAKOI_THREADED=1
 * starts a second thread first, so the clone comes from a multi-threaded
 * process like a JavaScript runtime (where unshare(CLONE_NEWUSER) is EINVAL).
 * OUT gets: "status <wait status>\nlistener <none|ok|bad>\nreport <hex bytes>\n".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(2); }

static void *map_file(const char *path, void *at, int prot, size_t *size, long pid_at) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path);
  struct stat st;
  if (fstat(fd, &st) < 0) die("fstat");
  size_t length = (st.st_size + 4095) & ~(size_t)4095;
  void *memory = mmap(at, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | (at ? MAP_FIXED_NOREPLACE : 0), -1, 0);
  if (memory == MAP_FAILED || (at && memory != at)) die("mmap");
  if (read(fd, memory, st.st_size) != st.st_size) die("read");
  close(fd);
  if (pid_at >= 0) { int32_t pid = getpid(); memcpy((char *)memory + pid_at, &pid, sizeof pid); }
  if (mprotect(memory, length, prot) < 0) die("mprotect");
  *size = st.st_size;
  return memory;
}

static void on_usr1(int signal) { (void)signal; }

static void *idle(void *unused) { (void)unused; for (;;) pause(); return NULL; }

int main(int argc, char **argv) {
  if (argc != 7 && argc != 8) { fprintf(stderr, "usage: CODE BLOCK ADDRESS ENTRY VFORK OUT [PID_AT]\n"); return 2; }
  size_t code_size, block_size;
  char *code = map_file(argv[1], NULL, PROT_READ | PROT_EXEC, &code_size, -1);
  void *block = map_file(argv[2], (void *)strtoull(argv[3], NULL, 16), PROT_READ, &block_size, argc == 8 ? strtol(argv[7], NULL, 10) : -1);
  long entry = strtol(argv[4], NULL, 10);
  int vfork = strcmp(argv[5], "1") == 0, shared = strcmp(argv[5], "fork") != 0;
  FILE *out = fopen(argv[6], "we");
  if (!out) die(argv[6]);

  for (int fd = 0; fd < 3; fd++) if (dup2(fd, 10 + fd) < 0) die("dup2");
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) die("socketpair");
  if (dup2(pair[1], 13) < 0) die("dup2 control");
  close(pair[1]);
  if (dup2(open("/dev/null", O_RDONLY | O_CLOEXEC), 20) < 0) die("leak fd");
  signal(SIGPIPE, SIG_IGN); /* also keeps a write to a child that is gone an EPIPE */
  signal(SIGUSR1, on_usr1);

  pthread_t thread;
  if (getenv("KAKOI_THREADED") && pthread_create(&thread, NULL, idle, NULL) != 0) die("pthread_create");

  size_t stack_size = 64 * 1024;
  char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) die("mmap stack");
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  const char *extra = getenv("KAKOI_CLONE_FLAGS"), *after_start = getenv("KAKOI_SIGNAL_AFTER_START");
  int flags = SIGCHLD | (shared ? CLONE_VM : 0) | (vfork ? CLONE_VFORK : 0) | (extra ? atoi(extra) : 0);
  pid_t pid = clone((int (*)(void *))(code + entry), stack + stack_size, flags, block);
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (pid < 0) die("clone");
  /* pidfd_open rather than CLONE_PIDFD, which qemu-user does not emulate; the pid cannot be reused before waitpid. */
  int pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) die("pidfd_open");
  for (int fd = 10; fd <= 13; fd++) close(fd);

  unsigned char report[4096];
  size_t received = 0;
  const char *listener = "none";
  for (;;) {
    ssize_t got = read(pair[0], report + received, sizeof report - received);
    if (got <= 0) break;
    size_t before = received;
    received += got;
    /* The init's started record (tag 0x6b6b0004), complete in what arrived: the init waits for a byte
       (the supervisor has read its target's pid) before it reaps anything. */
    for (size_t at = before - before % 16; at + 16 <= received; at += 16) {
      if (report[at] != 0x04 || report[at + 3] != 0x6b) continue;
      if (write(pair[0], "\1", 1) != 1) die("write the init's go-ahead");
      if (after_start) { kill(pid, atoi(after_start)); after_start = NULL; }
    }
    /* The installing-listener record: tag 0x6b6b0001, little-endian, 16 bytes. */
    if (received >= 16 && strcmp(listener, "none") == 0 && report[received - 16] == 0x01 && report[received - 13] == 0x6b) {
      int fetched = -1;
      for (int attempt = 0; attempt < 1000 && fetched < 0; attempt++) {
        int fd = syscall(SYS_pidfd_getfd, pidfd, 4, 0);
        char link[64] = "", path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (fd >= 0 && readlink(path, link, sizeof link - 1) > 0 && strcmp(link, "anon_inode:seccomp notify") == 0) fetched = fd;
        else { if (fd >= 0) close(fd); usleep(100); }
      }
      listener = fetched >= 0 ? "ok" : "bad";
      /* A child that failed to install its filter is gone already: no go-ahead to give. */
      if (write(pair[0], "\1", 1) != 1) listener = "gone";
    }
  }
  int status;
  if (waitpid(pid, &status, 0) != pid) die("waitpid");
  fprintf(out, "status %d\nlistener %s\nreport ", status, listener);
  for (size_t i = 0; i < received; i++) fprintf(out, "%02x", report[i]);
  fprintf(out, "\n");
  fclose(out);
  return 0;
}
