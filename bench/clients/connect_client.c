/* Connections served per second, measured by a client that is not the bottleneck: THREADS threads each
 * repeat connect / shutdown(SHUT_WR) / read until the server closes / close, COUNT times in all, so every
 * counted connection was accepted, read to its end and closed by the server.
 * Usage: connect_client <ipv4-address> <port> [count=20000] [threads=8]
 * Prints: connections N failures F seconds S connections_per_s R
 * Loopback only: the bench scripts pass 127.0.0.1. Built by bench/listeners.sh into bench/clients/bin (ignored). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in target;
static atomic_long remaining;
static atomic_long failures;

static void *work(void *arg)
{
    (void)arg;
    char buf[256];
    while (atomic_fetch_sub(&remaining, 1) > 0) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) { atomic_fetch_add(&failures, 1); continue; }
        struct timeval tv = { 10, 0 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (connect(fd, (struct sockaddr *)&target, sizeof target) != 0 || shutdown(fd, SHUT_WR) != 0) {
            atomic_fetch_add(&failures, 1);
            close(fd);
            continue;
        }
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) { }
        if (n < 0) atomic_fetch_add(&failures, 1);
        close(fd);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s <ipv4-address> <port> [count] [threads]\n", argv[0]); return 2; }
    long count = argc > 3 ? atol(argv[3]) : 20000;
    int threads = argc > 4 ? atoi(argv[4]) : 8;
    memset(&target, 0, sizeof target);
    target.sin_family = AF_INET;
    target.sin_port = htons((unsigned short)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", argv[1]); return 2; }
    atomic_store(&remaining, count);
    pthread_t t[256];
    if (threads < 1 || threads > 256) threads = 8;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, work, NULL);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    long ok = count - atomic_load(&failures);
    printf("connections %ld failures %ld seconds %.2f connections_per_s %.0f\n", ok, atomic_load(&failures), s, ok / s);
    return atomic_load(&failures) == 0 ? 0 : 1;
}
