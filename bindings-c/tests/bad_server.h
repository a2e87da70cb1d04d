/* Starts and stops testservers/misbehaving/badsmtp.py (one process per
 * scenario on 127.0.0.1): shared by the misbehaving-server, scenario and
 * mailer tests. Several may run at once. */
#ifndef MW_BAD_SERVER_H
#define MW_BAD_SERVER_H
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    pid_t pid;
    int stdin_fd;
    int port;
} bad_server;

typedef struct {
    pid_t pid;
    int stdin_fd;
    int stdout_fd;
} bad_launch;

/* Starts `badsmtp.py SCENARIO` without waiting for it to listen (see
 * await_port); it serves until its standard input closes. */
static bad_launch launch(const char *scenario) {
    bad_launch l = {-1, -1, -1};
    int to_child[2], from_child[2];
    /* Close-on-exec: a server started later must not hold this one's stdin open. */
    if (pipe2(to_child, O_CLOEXEC) != 0) return l;
    if (pipe2(from_child, O_CLOEXEC) != 0) {
        close(to_child[0]);
        close(to_child[1]);
        return l;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(to_child[0], 0);
        dup2(from_child[1], 1);
        execlp("python3", "python3", MW_TESTSERVERS "/misbehaving/badsmtp.py", scenario, (char *)NULL);
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    l.pid = pid;
    l.stdin_fd = to_child[1];
    l.stdout_fd = from_child[0];
    return l;
}

/* Reads the port a launched server prints once it listens; `port` is 0
 * when it did not start. */
static bad_server await_port(bad_launch l, const char *scenario) {
    bad_server s = {l.pid, l.stdin_fd, 0};
    FILE *out = l.stdout_fd >= 0 ? fdopen(l.stdout_fd, "r") : NULL;
    if (!out || fscanf(out, "%d", &s.port) != 1) s.port = 0;
    if (out) fclose(out);
    if (s.port == 0) fprintf(stderr, "badsmtp.py %s did not start\n", scenario);
    return s;
}

/* Starts `badsmtp.py SCENARIO` and waits until it listens. */
static inline bad_server start(const char *scenario) {
    return await_port(launch(scenario), scenario);
}

/* Tells the server to stop (closes its standard input) without waiting. */
static void stop_soon(bad_server *s) {
    if (s->stdin_fd >= 0) close(s->stdin_fd);
    s->stdin_fd = -1;
}

/* Stops the server and waits until it has exited. */
static void stop(bad_server *s) {
    stop_soon(s);
    if (s->pid > 0) waitpid(s->pid, NULL, 0);
    s->pid = -1;
}
#endif
