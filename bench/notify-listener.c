/*
 * The C baseline of bench/notify.ts: the least a supervisor can do per
 * notified syscall. Forks; the child installs a filter that notifies syscall
 * NR (everything else allowed) with SECCOMP_FILTER_FLAG_NEW_LISTENER, hands
 * the listener to the parent over a socketpair (SCM_RIGHTS; sendmsg is not
 * notified here) and execs CMD. The parent answers every notification with
 * CONTINUE, poll then RECV then SEND on one thread, as kakoi's loop does,
 * until the listener hangs up; it exits with the child's status.
 *
 *   notify-listener NR CMD [ARGS...]
 *
 * The kernel's seccomp structs and ioctls (x86_64) are declared here, so only
 * libc's headers are needed.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sock_fprog { unsigned short len; struct sock_filter *filter; };
struct seccomp_data { int32_t nr; uint32_t arch; uint64_t instruction_pointer; uint64_t args[6]; };
struct seccomp_notif { uint64_t id; uint32_t pid, flags; struct seccomp_data data; };
struct seccomp_notif_resp { uint64_t id; int64_t val; int32_t error; uint32_t flags; };

#define AUDIT_ARCH_X86_64 0xc000003eu
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_FILTER_FLAG_NEW_LISTENER 8
#define SECCOMP_RET_USER_NOTIF 0x7fc00000u
#define SECCOMP_RET_ALLOW 0x7fff0000u
#define SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE 1
#define NOTIF_RECV 0xc0502100ul
#define NOTIF_SEND 0xc0182101ul
/* BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET|BPF_K */
#define LD_ABS 0x20
#define JEQ 0x15
#define RET 0x06

static void fail(const char *what) {
  perror(what);
  _exit(127);
}

/* In the child: the filter, then the listener to the parent, then exec. */
static void child(int sock, long nr, char **argv) {
  struct sock_filter code[] = {
    {LD_ABS, 0, 0, 4},                      /* arch */
    {JEQ, 1, 0, AUDIT_ARCH_X86_64},
    {RET, 0, 0, SECCOMP_RET_KILL_PROCESS},
    {LD_ABS, 0, 0, 0},                      /* nr */
    {JEQ, 0, 1, (uint32_t)nr},
    {RET, 0, 0, SECCOMP_RET_USER_NOTIF},
    {RET, 0, 0, SECCOMP_RET_ALLOW},
  };
  struct sock_fprog prog = {sizeof code / sizeof code[0], code};
  char control[CMSG_SPACE(sizeof(int))];
  char byte = 0;
  struct iovec iov = {&byte, 1};
  struct msghdr msg = {0};
  struct cmsghdr *cmsg;
  int listener;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("prctl");
  listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (listener < 0) fail("seccomp");
  memset(control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &listener, sizeof(int));
  if (sendmsg(sock, &msg, 0) != 1) fail("sendmsg");
  close(listener);
  close(sock);
  execv(argv[0], argv);
  fail("execv");
}

static int receive_fd(int sock) {
  char control[CMSG_SPACE(sizeof(int))];
  char byte;
  struct iovec iov = {&byte, 1};
  struct msghdr msg = {0};
  struct cmsghdr *cmsg;
  int fd = -1;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (recvmsg(sock, &msg, 0) != 1) return -1;
  cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == NULL || cmsg->cmsg_type != SCM_RIGHTS) return -1;
  memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
  return fd;
}

int main(int argc, char **argv) {
  int socks[2], listener, status;
  pid_t pid;
  struct pollfd pfd;
  struct seccomp_notif notif;
  struct seccomp_notif_resp resp;
  if (argc < 3) {
    fprintf(stderr, "usage: notify-listener NR CMD [ARGS...]\n");
    return 2;
  }
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, socks) != 0) fail("socketpair");
  pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    close(socks[0]);
    child(socks[1], strtol(argv[1], NULL, 0), argv + 2);
  }
  close(socks[1]);
  listener = receive_fd(socks[0]);
  if (listener < 0) fail("recvmsg");
  pfd.fd = listener;
  pfd.events = POLLIN;
  for (;;) {
    if (poll(&pfd, 1, -1) < 0) {
      if (errno == EINTR) continue;
      fail("poll");
    }
    if (!(pfd.revents & POLLIN)) break; /* POLLHUP: no process uses the filter any more */
    memset(&notif, 0, sizeof notif);    /* the kernel refuses a dirty buffer */
    if (ioctl(listener, NOTIF_RECV, &notif) != 0) continue; /* ENOENT: the caller went away */
    memset(&resp, 0, sizeof resp);
    resp.id = notif.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(listener, NOTIF_SEND, &resp);
  }
  if (waitpid(pid, &status, 0) != pid) fail("waitpid");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
