/* The machine's ceiling for connections served per second: a minimal C server with THREADS epoll loops
 * (EPOLLEXCLUSIVE on one non-blocking listening socket), each accepting with accept4, reading each
 * connection to its end and closing it. No logging, no counters beyond one atomic.
 * Usage: accept_server [threads=nproc]; listens on 127.0.0.1, an OS-chosen port; prints "port P pid N",
 * then serves until stdin closes and prints "connections N". Built by bench/listeners.sh (ignored bin/). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_fd;
static atomic_long served;

static void *loop(void *arg)
{
    (void)arg;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listen_fd };
    epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev);
    struct epoll_event events[256];
    char buf[4096];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listen_fd) {
                for (int k = 0; k < 64; k++) {
                    int c = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0) break;
                    struct epoll_event ce = { .events = EPOLLIN, .data.fd = c };
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                }
                continue;
            }
            ssize_t r;
            while ((r = read(fd, buf, sizeof buf)) > 0) { }
            if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(fd);
                atomic_fetch_add(&served, 1);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(listen_fd, 4096) != 0) { perror("bind/listen"); return 1; }
    socklen_t len = sizeof a;
    getsockname(listen_fd, (struct sockaddr *)&a, &len);
    printf("port %d pid %d\n", ntohs(a.sin_port), (int)getpid());
    fflush(stdout);
    pthread_t t;
    for (int i = 0; i < threads; i++) pthread_create(&t, NULL, loop, NULL);
    while (getchar() != EOF) { }
    printf("connections %ld\n", atomic_load(&served));
    return 0;
}
