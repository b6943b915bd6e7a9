/*
 * Prints the numbers core/arch/<arch>.ts must hold, from this machine's C
 * headers, as "name value" lines (test/core/arch.test.ts). Built natively for
 * x86_64 and with aarch64-linux-gnu-gcc (run under qemu-aarch64) for aarch64.
 * ERRNO_LIST names a file the test writes with one ERR(name) or ALIAS(name)
 * per errno name core/arch/errno.ts knows, so every one of them is checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/prctl.h>
#include <linux/ptrace.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <poll.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/io_uring.h>

#define SHOW(name, value) printf("%s %llu\n", name, (unsigned long long)(value))
#define NR(name) SHOW("syscalls." #name, SYS_##name)
#define ERR(name) SHOW("errno." #name, name)
#define ALIAS(name) SHOW("errnoAlias." #name, name)
#define CONST(name) SHOW("constants." #name, name)
#define RES(key, name) SHOW("rlimitResource." key, name)

int main(void) {
  NR(read); NR(write); NR(close); NR(ioctl); NR(kill); NR(readlinkat); NR(eventfd2); NR(pidfd_open);
  NR(pidfd_getfd); NR(pidfd_send_signal); NR(ppoll); NR(prctl); NR(getppid); NR(rt_sigaction); NR(rt_sigprocmask); NR(dup3);
  NR(close_range); NR(prlimit64); NR(chdir); NR(umask); NR(setsid); NR(seccomp); NR(execve); NR(exit_group);
  NR(clone); NR(wait4); NR(signalfd4); NR(openat); NR(landlock_create_ruleset); NR(landlock_restrict_self);
  NR(openat2); NR(fstatfs);
  NR(fstat); NR(getpid); NR(geteuid); NR(socket); NR(connect); NR(bind); NR(capset); NR(mount); NR(umount2); NR(pivot_root);
  NR(sethostname); NR(setdomainname); NR(setgroups); NR(setresuid); NR(setresgid); NR(unshare); NR(mkdirat); NR(fchdir);
  NR(io_uring_setup); NR(faccessat); NR(unlinkat); NR(symlinkat); NR(mount_setattr); NR(open_tree); NR(move_mount);
  NR(landlock_add_rule); NR(ptrace); NR(fcntl);
#include ERRNO_LIST
  SHOW("seccompIoctl.NOTIF_RECV", SECCOMP_IOCTL_NOTIF_RECV);
  SHOW("seccompIoctl.NOTIF_SEND", SECCOMP_IOCTL_NOTIF_SEND);
  SHOW("seccompIoctl.NOTIF_ID_VALID", SECCOMP_IOCTL_NOTIF_ID_VALID);
  SHOW("seccompIoctl.NOTIF_ADDFD", SECCOMP_IOCTL_NOTIF_ADDFD);
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS /* linux 6.6; older uapi headers (Debian 12's) lack it */
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
  SHOW("seccompIoctl.NOTIF_SET_FLAGS", SECCOMP_IOCTL_NOTIF_SET_FLAGS);
  CONST(PR_SET_PDEATHSIG); CONST(PR_SET_NO_NEW_PRIVS); CONST(SECCOMP_SET_MODE_FILTER); CONST(SECCOMP_FILTER_FLAG_TSYNC);
  CONST(SECCOMP_FILTER_FLAG_NEW_LISTENER); CONST(SECCOMP_FILTER_FLAG_TSYNC_ESRCH); CONST(SECCOMP_USER_NOTIF_FLAG_CONTINUE); CONST(SIG_SETMASK);
  CONST(O_CLOEXEC); CONST(O_NONBLOCK); CONST(F_DUPFD); CONST(F_DUPFD_CLOEXEC); CONST(F_GETFD); CONST(F_SETFD); CONST(F_SETFL); CONST(FD_CLOEXEC);
  CONST(CLONE_VM); CONST(CLONE_FILES); CONST(CLONE_PIDFD); CONST(CLONE_VFORK); CONST(CLONE_NEWUSER); CONST(CLONE_NEWPID);
  CONST(WNOHANG); CONST(WEXITED); CONST(__WALL); CONST(P_PIDFD); CONST(CLD_EXITED);
  CONST(O_RDWR); CONST(O_ACCMODE); CONST(O_CREAT); CONST(O_EXCL); CONST(O_NOCTTY); CONST(O_APPEND); CONST(O_PATH);
  CONST(F_GETFL); CONST(F_DUPFD_CLOEXEC); CONST(SEEK_CUR); CONST(AF_UNIX); CONST(SOCK_STREAM); CONST(SOCK_CLOEXEC);
  CONST(PROT_NONE); CONST(PROT_READ); CONST(PROT_WRITE); CONST(PROT_EXEC); CONST(MAP_PRIVATE); CONST(MAP_ANONYMOUS); CONST(MAP_STACK);
  SHOW("constants.MAP_FAILED", (unsigned long long)(uintptr_t)MAP_FAILED); SHOW("constants.PAGE_SIZE", sysconf(_SC_PAGESIZE)); CONST(PATH_MAX);
  CONST(RESOLVE_NO_MAGICLINKS); CONST(RESOLVE_NO_SYMLINKS); CONST(RESOLVE_BENEATH); CONST(RESOLVE_IN_ROOT); CONST(PROC_SUPER_MAGIC);
  CONST(SECCOMP_ADDFD_FLAG_SEND); SHOW("constants.SIG_IGN", (uintptr_t)SIG_IGN);
  SHOW("openFlags.O_DIRECTORY", O_DIRECTORY); SHOW("openFlags.O_NOFOLLOW", O_NOFOLLOW); SHOW("openFlags.O_TMPFILE", O_TMPFILE);
  SHOW("structs.seccompNotifAddfd.size", sizeof(struct seccomp_notif_addfd));
  SHOW("structs.seccompNotifAddfd.id", offsetof(struct seccomp_notif_addfd, id));
  SHOW("structs.seccompNotifAddfd.flags", offsetof(struct seccomp_notif_addfd, flags));
  SHOW("structs.seccompNotifAddfd.srcfd", offsetof(struct seccomp_notif_addfd, srcfd));
  SHOW("structs.seccompNotifAddfd.newfd", offsetof(struct seccomp_notif_addfd, newfd));
  SHOW("structs.seccompNotifAddfd.newfdFlags", offsetof(struct seccomp_notif_addfd, newfd_flags));
  SHOW("structs.openHow.size", sizeof(struct open_how)); SHOW("structs.openHow.flags", offsetof(struct open_how, flags));
  SHOW("structs.openHow.mode", offsetof(struct open_how, mode)); SHOW("structs.openHow.resolve", offsetof(struct open_how, resolve));
  SHOW("structs.statfs.size", sizeof(struct statfs)); SHOW("structs.statfs.type", offsetof(struct statfs, f_type));
  SHOW("structs.siginfo.size", sizeof(siginfo_t)); SHOW("structs.siginfo.code", offsetof(siginfo_t, si_code));
  SHOW("structs.siginfo.pid", offsetof(siginfo_t, si_pid)); SHOW("structs.siginfo.status", offsetof(siginfo_t, si_status)); SHOW("constants.AT_FDCWD", (unsigned long long)(long long)AT_FDCWD); CONST(O_WRONLY); CONST(SFD_CLOEXEC);
  /* struct landlock_ruleset_attr's net (6.7) and scoped (6.12) fields and the scope bits are newer
     than Debian 12's uapi headers: the real runs in test/core/program-contain.test.ts show them working.
     So is PIDFD_SIGNAL_PROCESS_GROUP (6.9): the run-options and supervisor suites' group stops use it. */
  SHOW("structs.signalfdSiginfo.size", sizeof(struct signalfd_siginfo));
  SHOW("structs.signalfdSiginfo.signo", offsetof(struct signalfd_siginfo, ssi_signo));
  CONST(MFD_CLOEXEC); CONST(POLLIN); CONST(POLLOUT); CONST(POLLERR); CONST(POLLHUP); CONST(CLOSE_RANGE_CLOEXEC); CONST(EFD_CLOEXEC); CONST(EFD_NONBLOCK); CONST(RLIM_INFINITY);
  SHOW("constants.SIGSET_SIZE", _NSIG / 8);
  RES("cpu", RLIMIT_CPU); RES("fsize", RLIMIT_FSIZE); RES("data", RLIMIT_DATA); RES("stack", RLIMIT_STACK);
  RES("core", RLIMIT_CORE); RES("rss", RLIMIT_RSS); RES("nproc", RLIMIT_NPROC); RES("nofile", RLIMIT_NOFILE);
  RES("memlock", RLIMIT_MEMLOCK); RES("as", RLIMIT_AS); RES("locks", RLIMIT_LOCKS); RES("sigpending", RLIMIT_SIGPENDING);
  RES("msgqueue", RLIMIT_MSGQUEUE); RES("nice", RLIMIT_NICE); RES("rtprio", RLIMIT_RTPRIO); RES("rttime", RLIMIT_RTTIME);
#define SIG(name) SHOW("signals." #name, name)
  SIG(SIGHUP); SIG(SIGINT); SIG(SIGQUIT); SIG(SIGILL); SIG(SIGTRAP); SIG(SIGABRT); SIG(SIGBUS); SIG(SIGFPE);
  SIG(SIGKILL); SIG(SIGUSR1); SIG(SIGSEGV); SIG(SIGUSR2); SIG(SIGPIPE); SIG(SIGALRM); SIG(SIGTERM);
  SIG(SIGSTKFLT); SIG(SIGCHLD); SIG(SIGCONT); SIG(SIGSTOP); SIG(SIGTSTP); SIG(SIGTTIN); SIG(SIGTTOU);
  SIG(SIGURG); SIG(SIGXCPU); SIG(SIGXFSZ); SIG(SIGVTALRM); SIG(SIGPROF); SIG(SIGWINCH); SIG(SIGIO);
  SIG(SIGPWR); SIG(SIGSYS); SHOW("constants.SIGRTMAX", _NSIG - 1);
  SHOW("structs.rlimit.size", sizeof(struct rlimit)); SHOW("structs.rlimit.max", offsetof(struct rlimit, rlim_max));
  SHOW("structs.sockFprog.size", sizeof(struct sock_fprog)); SHOW("structs.sockFprog.filter", offsetof(struct sock_fprog, filter));
  SHOW("structs.sockFprog.instructionSize", sizeof(struct sock_filter));
  SHOW("structs.rlimit.cur", offsetof(struct rlimit, rlim_cur));
  SHOW("structs.sockFprog.len", offsetof(struct sock_fprog, len));
  SHOW("structs.seccompNotif.size", sizeof(struct seccomp_notif));
  SHOW("structs.seccompNotif.id", offsetof(struct seccomp_notif, id));
  SHOW("structs.seccompNotif.pid", offsetof(struct seccomp_notif, pid));
  SHOW("structs.seccompNotif.flags", offsetof(struct seccomp_notif, flags));
  SHOW("structs.seccompNotif.nr", offsetof(struct seccomp_notif, data.nr));
  SHOW("structs.seccompNotif.arch", offsetof(struct seccomp_notif, data.arch));
  SHOW("structs.seccompNotif.instructionPointer", offsetof(struct seccomp_notif, data.instruction_pointer));
  SHOW("structs.seccompNotif.args", offsetof(struct seccomp_notif, data.args));
  SHOW("structs.seccompNotifResp.size", sizeof(struct seccomp_notif_resp));
  SHOW("structs.seccompNotifResp.id", offsetof(struct seccomp_notif_resp, id));
  SHOW("structs.seccompNotifResp.val", offsetof(struct seccomp_notif_resp, val));
  SHOW("structs.seccompNotifResp.error", offsetof(struct seccomp_notif_resp, error));
  SHOW("structs.seccompNotifResp.flags", offsetof(struct seccomp_notif_resp, flags));
  /* The fences' numbers (core/program/rules/*, plugins/sandbox). */
  CONST(O_RDONLY); CONST(O_RDWR); CONST(O_CREAT); CONST(O_PATH); CONST(AT_REMOVEDIR); CONST(AT_RECURSIVE);
  CONST(F_OK); CONST(X_OK); CONST(W_OK); CONST(R_OK); CONST(S_IFMT); CONST(S_IFDIR);
  CONST(CLONE_NEWTIME); CONST(CLONE_NEWNS); CONST(CLONE_NEWCGROUP); CONST(CLONE_NEWUTS); CONST(CLONE_NEWIPC); CONST(CLONE_NEWNET);
  CONST(MS_RDONLY); CONST(MS_NOSUID); CONST(MS_NODEV); CONST(MS_NOEXEC); CONST(MS_REMOUNT); CONST(MS_BIND); CONST(MS_MOVE);
  CONST(MS_REC); CONST(MS_PRIVATE); CONST(MS_SLAVE); CONST(MNT_DETACH);
  CONST(MOUNT_ATTR_RDONLY); CONST(MOUNT_ATTR_NOSUID); CONST(MOUNT_ATTR_NODEV); CONST(MOUNT_ATTR_NOEXEC);
  CONST(OPEN_TREE_CLONE); CONST(MOVE_MOUNT_F_EMPTY_PATH);
  CONST(PR_SET_KEEPCAPS); CONST(PR_CAPBSET_DROP); CONST(PR_SET_SECUREBITS); CONST(PR_GET_NO_NEW_PRIVS); CONST(PR_CAP_AMBIENT);
  CONST(PR_CAP_AMBIENT_CLEAR_ALL); SHOW("constants.LINUX_CAPABILITY_VERSION_3", _LINUX_CAPABILITY_VERSION_3);
  CONST(CAP_SYS_PTRACE); CONST(CAP_SYS_ADMIN); CONST(PTRACE_SEIZE);
  CONST(AF_UNIX); CONST(AF_INET); CONST(AF_INET6); CONST(AF_PACKET); CONST(SOCK_STREAM); CONST(SOCK_DGRAM); CONST(SOCK_RAW);
  CONST(SOCK_CLOEXEC); CONST(IPPROTO_ICMP); CONST(INADDR_LOOPBACK); CONST(SIOCGIFFLAGS); CONST(SIOCSIFFLAGS); CONST(IFF_UP);
  CONST(SECCOMP_GET_ACTION_AVAIL); CONST(SECCOMP_RET_USER_NOTIF);
  CONST(LANDLOCK_CREATE_RULESET_VERSION); CONST(LANDLOCK_RULE_PATH_BENEATH);
  SHOW("structs.mountAttr.size", sizeof(struct mount_attr)); SHOW("structs.mountAttr.clear", offsetof(struct mount_attr, attr_clr));
  SHOW("structs.mountAttr.propagation", offsetof(struct mount_attr, propagation)); SHOW("structs.mountAttr.usernsFd", offsetof(struct mount_attr, userns_fd));
  SHOW("structs.ifreq.size", sizeof(struct ifreq)); SHOW("structs.ifreq.nameSize", IFNAMSIZ); SHOW("structs.ifreq.flags", offsetof(struct ifreq, ifr_flags));
  SHOW("structs.capUserHeader.size", sizeof(struct __user_cap_header_struct)); SHOW("structs.capUserHeader.pid", offsetof(struct __user_cap_header_struct, pid));
  SHOW("structs.capUserData.entrySize", sizeof(struct __user_cap_data_struct)); SHOW("structs.capUserData.size", 2 * sizeof(struct __user_cap_data_struct));
  SHOW("structs.capUserData.permitted", offsetof(struct __user_cap_data_struct, permitted));
  SHOW("structs.capUserData.inheritable", offsetof(struct __user_cap_data_struct, inheritable));
  SHOW("structs.sockaddrIn.size", sizeof(struct sockaddr_in)); SHOW("structs.sockaddrIn.port", offsetof(struct sockaddr_in, sin_port));
  SHOW("structs.sockaddrIn.address", offsetof(struct sockaddr_in, sin_addr));
  SHOW("structs.landlockPathBeneath.size", sizeof(struct landlock_path_beneath_attr));
  SHOW("structs.landlockPathBeneath.parentFd", offsetof(struct landlock_path_beneath_attr, parent_fd));
  SHOW("structs.ioUringParams.size", sizeof(struct io_uring_params));
  SHOW("stat.size", sizeof(struct stat)); SHOW("stat.mode", offsetof(struct stat, st_mode));
  return 0;
}
