/*
 * A daytime server over io_uring, written to answer one question (docs/benchmarks-notes.md, "Daytime
 * against the C server"): would batching the epoll engine's calls into io_uring let it serve daytime
 * for less CPU than the C iterative server? Not part of the benchmark matrix; an experiment kept so
 * that its figures can be reproduced.
 *
 * One thread, one ring; a multishot accept, and for each connection a chain of linked requests, all
 * submitted together with one io_uring_enter that also waits for the next completions. The mode says
 * how a connection ends, from what the C iterative server does to what the epoll engine does:
 *   close           send, close                                (the C iterative server's work)
 *   shutdown        send, shutdown(SHUT_WR), close
 *   check           send, recv(MSG_DONTWAIT); close on its completion
 *   shutdown-check  send, shutdown(SHUT_WR), recv(MSG_DONTWAIT); close on its completion
 *                   (the epoll engine's rule: FIN out first, then look for unread input)
 * Any mode may end in "-more" (shutdown-check-more): the send carries MSG_MORE, so that the reply waits
 * for the FIN and both leave in one segment, as the epoll engine sends a one-shot reply.
 * Unread input is not lingered over here: this is for a load that sends nothing.
 *
 *   apt-get install liburing-dev
 *   cc -O2 -o daytime_uring daytime_uring.c -luring && ./daytime_uring 0 shutdown-check
 */
#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ACCEPT = 1, CHECKED = 2 }; /* user_data: ACCEPT, or CHECKED in the high bits with the fd below */

static char scratch[4096];

static struct io_uring_sqe *next_sqe(struct io_uring *ring)
{
    struct io_uring_sqe *s = io_uring_get_sqe(ring);
    if (s == NULL) {
        io_uring_submit(ring); /* a full submission queue: hand it over and go on */
        s = io_uring_get_sqe(ring);
    }
    return s;
}

static void accept_more(struct io_uring *ring, int listener)
{
    struct io_uring_sqe *s = next_sqe(ring);
    io_uring_prep_multishot_accept(s, listener, NULL, NULL, SOCK_CLOEXEC);
    io_uring_sqe_set_data64(s, ACCEPT);
}

static void close_later(struct io_uring *ring, int fd)
{
    struct io_uring_sqe *s = next_sqe(ring);
    io_uring_prep_close(s, fd);
    s->flags |= IOSQE_CQE_SKIP_SUCCESS;
    io_uring_sqe_set_data64(s, 0);
}

int main(int argc, char *argv[])
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    const char *mode = argc > 2 ? argv[2] : "shutdown-check";
    int shut = strstr(mode, "shutdown") != NULL;
    int check = strstr(mode, "check") != NULL;
    int more = strstr(mode, "-more") != NULL;
    if (!shut && !check && strncmp(mode, "close", 5) != 0) {
        fprintf(stderr, "mode: close, shutdown, check or shutdown-check, each with -more or not\n");
        return 2;
    }

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) { perror("socket"); return 1; }
    int on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *) &a, sizeof a) < 0) { perror("bind"); return 1; }
    if (listen(listener, 4096) < 0) { perror("listen"); return 1; }
    socklen_t len = sizeof a;
    getsockname(listener, (struct sockaddr *) &a, &len);
    printf("daytime 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);

    struct io_uring ring;
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    /* one thread submits and reaps: completions' work runs when it waits, not by interrupting it */
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL;
    int r = io_uring_queue_init_params(1024, &ring, &p);
    if (r < 0) { fprintf(stderr, "io_uring_setup: %s\n", strerror(-r)); return 1; }

    char line[80];
    time_t last = 0;
    accept_more(&ring, listener);
    for (;;) {
        io_uring_submit_and_wait(&ring, 1);
        struct io_uring_cqe *c;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, c) {
            seen++;
            if (c->user_data == ACCEPT) {
                if (!(c->flags & IORING_CQE_F_MORE)) {
                    accept_more(&ring, listener); /* the kernel ended the multishot: post it again */
                }
                if (c->res < 0) {
                    continue;
                }
                int fd = c->res;
                time_t t = time(NULL);
                if (t != last) {
                    last = t;
                    snprintf(line, sizeof line, "%.24s\r\n", ctime(&t));
                }
                struct io_uring_sqe *s = next_sqe(&ring);
                io_uring_prep_send(s, fd, line, strlen(line), MSG_NOSIGNAL | (more ? MSG_MORE : 0));
                s->flags |= IOSQE_IO_HARDLINK | IOSQE_CQE_SKIP_SUCCESS;
                io_uring_sqe_set_data64(s, 0);
                if (shut) {
                    s = next_sqe(&ring);
                    io_uring_prep_shutdown(s, fd, SHUT_WR);
                    s->flags |= IOSQE_IO_HARDLINK | IOSQE_CQE_SKIP_SUCCESS;
                    io_uring_sqe_set_data64(s, 0);
                }
                if (check) {
                    s = next_sqe(&ring);
                    io_uring_prep_recv(s, fd, scratch, sizeof scratch, MSG_DONTWAIT);
                    io_uring_sqe_set_data64(s, ((unsigned long long) CHECKED << 32) | (unsigned) fd);
                } else {
                    close_later(&ring, fd);
                }
            } else if ((c->user_data >> 32) == CHECKED) {
                close_later(&ring, (int) (c->user_data & 0xffffffffu));
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
}
