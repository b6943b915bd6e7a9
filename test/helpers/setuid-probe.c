/*
 * The target of the capabilities suite's setuid-root test: built by the test,
 * owned by root, mode 4755 (or given file capabilities). Prints its real and
 * effective uid, its effective and permitted capability masks, and what
 * setuid(0) returns (0, or the errno's name), one per line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void field(const char *name) {
  char line[256];
  FILE *status = fopen("/proc/self/status", "re");
  while (status && fgets(line, sizeof line, status))
    if (!strncmp(line, name, strlen(name))) printf("%s", line + strlen(name) + 2);
  if (status) fclose(status);
}

int main(void) {
  printf("%d %d\n", getuid(), geteuid());
  field("CapEff");
  field("CapPrm");
  printf("%s\n", setuid(0) == 0 ? "0" : strerrorname_np(errno));
  return 0;
}
