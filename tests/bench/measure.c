/* Runs a command (stdin/stdout redirected to the files given) and prints
 * "SECONDS MAXRSS_KB EXIT" for it: wall time from fork to exit, peak RSS from wait4.
 * With -n N it runs the command N times in a row and prints the mean time per run.
 * A fourth field gives the CPU time (user + system) per run, steadier than wall time. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long runs = 1;
    if (argc > 2 && !strcmp(argv[1], "-n")) {
        runs = atol(argv[2]);
        argv += 2;
        argc -= 2;
    }
    if (argc < 4 || runs < 1) {
        fprintf(stderr, "usage: measure [-n N] INFILE OUTFILE CMD [ARG...]\n");
        return 2;
    }
    struct timespec t0, t1;
    long maxrss = 0;
    double cpu = 0;
    int status = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long r = 0; r < runs; r++) {
    pid_t pid = fork();
    if (pid == 0) {
        int in = open(argv[1], O_RDONLY), out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0) {
            perror("measure");
            _exit(127);
        }
        dup2(in, 0);
        dup2(out, 1);
        /* Diagnostics are not what is measured. */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        execvp(argv[3], argv + 3);
        perror(argv[3]);
        _exit(127);
    }
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    if (ru.ru_maxrss > maxrss)
        maxrss = ru.ru_maxrss;
    cpu += (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%.6f %ld %d %.6f\n", s / (double)runs, maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
           cpu / (double)runs);
    return 0;
}
