/*
 * test_discovery_race.c — several threads creating runtimes at the same
 * moment, as the first OpenCL calls of a process: PoCL and the ICD loader
 * race in their first platform and device discovery (a crash, or no device
 * and "is an OpenCL driver (ICD) installed?"), so clinfer discovers one
 * thread at a time. Each round is a fresh child process (the race needs an
 * uninitialised driver); the parent never touches OpenCL itself. Plain
 * main() (check.h): it also runs under ThreadSanitizer.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#define THREADS 8
#define ROUNDS 10

static pthread_barrier_t start;

static void *create_runtime(void *failed)
{
    clinfer_runtime_options o = clinfer_runtime_options_default();
    o.disable_disk_cache = 1;
    clinfer_runtime *rt = NULL;
    pthread_barrier_wait(&start);
    clinfer_status st = clinfer_runtime_create(&o, &rt);
    if (st != CLINFER_OK) {
        fprintf(stderr, "clinfer_runtime_create: %s: %s\n", clinfer_status_str(st),
                clinfer_last_errmsg());
        *(int *)failed = 1;
    }
    clinfer_runtime_free(rt);
    return NULL;
}

/* One round in this (child) process: exit status 0 when every thread got
 * its runtime. */
static int round_in_child(void)
{
    pthread_t t[THREADS];
    int failed[THREADS] = {0}, any = 0;
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], NULL, create_runtime, &failed[i]) == 0, "pthread_create");
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        any |= failed[i];
    }
    pthread_barrier_destroy(&start);
    return any;
}

int main(void)
{
    printf("RUN discovery_race: %d rounds of %d threads\n", ROUNDS, THREADS);
    fflush(stdout);
    for (int r = 0; r < ROUNDS; r++) {
        pid_t pid = fork();
        CHECK(pid >= 0, "fork");
        if (pid == 0)
            _exit(round_in_child());
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
        CHECK(WIFEXITED(status), "round %d: the child died of signal %d", r,
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        CHECK(WEXITSTATUS(status) == 0, "round %d: a thread could not create its runtime", r);
    }
    printf("ok\n");
    return 0;
}
