/*
 * The target of the fence tests (test/helpers/fence-run.ts): a static binary
 * (so it runs inside an empty root) that tries what an attacker would and
 * prints one line per probe argument: "ok" (or the value asked for), else the
 * errno name of the call that failed. Probes:
 *   read:PATH  first:PATH (its first line)  write:PATH  join:PATH (writes "0": a cgroup.procs)  list:DIR  link:FROM:TO  symlink:TARGET:PATH
 *   connect:PORT  bind:PORT (TCP, 127.0.0.1)  udp  raw  unix-abstract:NAME
 *   setuid:UID  status:KEY (from /proc/self/status)  hostname  lo  cgroup
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int failed(void) { printf("%s\n", strerrorname_np(errno)); return 0; }
static int ok(int result) { if (result < 0) return failed(); printf("ok\n"); return 0; }
static int names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int tcp(const char *port, int bind_it) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return failed();
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(atoi(port)), .sin_addr = { htonl(INADDR_LOOPBACK) } };
  int result = bind_it ? bind(fd, (struct sockaddr *)&address, sizeof address) : connect(fd, (struct sockaddr *)&address, sizeof address);
  ok(result);
  close(fd);
  return 0;
}

static int probe(char *what) {
  char *arg = strchr(what, ':');
  if (arg) *arg++ = 0;
  char *second = arg ? strchr(arg, ':') : NULL;
  if (second) *second++ = 0;
  if (!strcmp(what, "read")) {
    char buffer[64];
    int fd = open(arg, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failed();
    ssize_t got = read(fd, buffer, sizeof buffer);
    close(fd);
    return ok(got < 0 ? -1 : 0);
  }
  if (!strcmp(what, "first")) {
    FILE *file = fopen(arg, "re");
    char line[512] = "";
    if (!file) return failed();
    if (!fgets(line, sizeof line, file)) line[0] = 0;
    fclose(file);
    printf("%s", strchr(line, '\n') ? line : strcat(line, "\n"));
    return 0;
  }
  if (!strcmp(what, "write") || !strcmp(what, "join")) {
    int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return failed();
    ssize_t put = write(fd, !strcmp(what, "join") ? "0" : "x", 1);
    close(fd);
    return ok(put < 0 ? -1 : 0);
  }
  if (!strcmp(what, "list")) {
    DIR *dir = opendir(arg);
    if (!dir) return failed();
    char *entries[256];
    int count = 0;
    for (struct dirent *entry; (entry = readdir(dir)) && count < 256;)
      if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..")) entries[count++] = strdup(entry->d_name);
    qsort(entries, count, sizeof *entries, names);
    for (int i = 0; i < count; i++) printf("%s%s", i ? "," : "", entries[i]);
    printf("\n");
    closedir(dir);
    return 0;
  }
  if (!strcmp(what, "link")) return ok(link(arg, second));
  if (!strcmp(what, "symlink")) return ok(symlink(arg, second));
  if (!strcmp(what, "connect")) return tcp(arg, 0);
  if (!strcmp(what, "bind")) return tcp(arg, 1);
  if (!strcmp(what, "udp") || !strcmp(what, "raw")) {
    int fd = !strcmp(what, "udp") ? socket(AF_INET, SOCK_DGRAM, 0) : socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    ok(fd);
    if (fd >= 0) close(fd);
    return 0;
  }
  if (!strcmp(what, "unix-abstract")) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    strncpy(address.sun_path + 1, arg, sizeof address.sun_path - 2);
    ok(connect(fd, (struct sockaddr *)&address, offsetof(struct sockaddr_un, sun_path) + 1 + strlen(arg)));
    close(fd);
    return 0;
  }
  if (!strcmp(what, "setuid")) return ok(setuid(atoi(arg)));
  if (!strcmp(what, "status") || !strcmp(what, "cgroup")) {
    FILE *file = fopen(!strcmp(what, "status") ? "/proc/self/status" : "/proc/self/cgroup", "re");
    if (!file) return failed();
    char line[512];
    size_t length = arg ? strlen(arg) : 0;
    while (fgets(line, sizeof line, file)) {
      if (arg && !strncmp(line, arg, length) && line[length] == ':') { char *value = strtok(line + length + 1, " \t\n"); printf("%s\n", value ? value : ""); fclose(file); return 0; }
      if (!arg && !strncmp(line, "0::", 3)) { printf("%s", line + 3); fclose(file); return 0; }
    }
    fclose(file);
    printf("missing\n");
    return 0;
  }
  if (!strcmp(what, "hostname")) {
    char name[256] = "";
    if (gethostname(name, sizeof name) < 0) return failed();
    printf("%s\n", name);
    return 0;
  }
  if (!strcmp(what, "lo")) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq request = { 0 };
    strcpy(request.ifr_name, "lo");
    if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &request) < 0) return failed();
    close(fd);
    printf("%s\n", request.ifr_flags & IFF_UP ? "up" : "down");
    return 0;
  }
  printf("unknown-probe\n");
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; i++) probe(argv[i]);
  return 0;
}
