/*
 * The classic TCP daytime iterative server (DESIGN.md's seed), as the C baseline of the benchmark:
 * accept, write one ctime line, close, one connection at a time. Changed from the seed only where
 * it had to be: it binds 127.0.0.1 on the port given (0: any free one) and prints where it listens,
 * as the benchmark runner expects, and it checks its calls.
 *
 *   cc -O2 -o daytime_iterative daytime_iterative.c && ./daytime_iterative 0
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    int list_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (list_fd < 0) { perror("socket"); return 1; }
    int on = 1;
    setsockopt(list_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in serv_add;
    memset(&serv_add, 0, sizeof serv_add);
    serv_add.sin_family = AF_INET;
    serv_add.sin_port = htons(port);
    serv_add.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(list_fd, (struct sockaddr *) &serv_add, sizeof serv_add) < 0) { perror("bind"); return 1; }
    if (listen(list_fd, 4096) < 0) { perror("listen"); return 1; }
    socklen_t len = sizeof serv_add;
    getsockname(list_fd, (struct sockaddr *) &serv_add, &len);
    printf("daytime 127.0.0.1:%d\n", ntohs(serv_add.sin_port));
    fflush(stdout);

    char buffer[80];
    for (;;) {
        int conn_fd = accept(list_fd, NULL, NULL);
        if (conn_fd < 0) { perror("accept"); continue; }
        time_t timeval = time(NULL);
        snprintf(buffer, sizeof buffer, "%.24s\r\n", ctime(&timeval));
        if (write(conn_fd, buffer, strlen(buffer)) < 0) perror("write");
        close(conn_fd);
    }
}
