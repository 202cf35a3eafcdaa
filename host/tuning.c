/*
 * tuning.c — the tuning store: short text values (tile sizes chosen by a
 * measured search) per device, kept in memory and in <cache dir>/tuning.txt
 * beside the program binaries, so the next process skips the search.
 */
#define _POSIX_C_SOURCE 200809L
#include "tuning.h"

#include "safe_file.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A tuning value of this runtime's device. */
typedef struct tuning_entry {
    char *name, *value;
} tuning_entry;

struct tuning_store {
    pthread_mutex_t lock;        /* the entries and the file */
    pthread_mutex_t search_lock; /* tuning_search_begin/end */
    char *tuning_file; /* <dir>/tuning.txt, NULL: memory only */
    tuning_entry *tuning;
    size_t tuning_count, tuning_capacity;
};

clinfer_status tuning_store_create(clinfer_runtime *rt, const char *dir, tuning_store **out)
{
    tuning_store *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(rt, CLINFER_ERR_OUT_OF_HOST_MEMORY, "cannot allocate the tuning store");
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->search_lock, NULL);
    if (dir) {
        size_t len = strlen(dir) + sizeof "/tuning.txt";
        c->tuning_file = malloc(len);
        if (c->tuning_file)
            snprintf(c->tuning_file, len, "%s/tuning.txt", dir);
    }
    *out = c;
    return CLINFER_OK;
}

void tuning_store_free(tuning_store *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->tuning_count; i++) {
        free(c->tuning[i].name);
        free(c->tuning[i].value);
    }
    free(c->tuning);
    free(c->tuning_file);
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->search_lock);
    free(c);
}

/* ------------------------------------------------------------ entries */

#define TUNING_LINE_MAX 1024
#define TUNING_FILE_MAX ((size_t)1 << 20) /* a larger file is not ours: ignored */

/* The value of `name` among the remembered entries, or NULL. */
static tuning_entry *tuning_find(tuning_store *c, const char *name)
{
    for (size_t i = 0; i < c->tuning_count; i++)
        if (strcmp(c->tuning[i].name, name) == 0)
            return &c->tuning[i];
    return NULL;
}

/* Remembers name = value (replacing); returns 0 when out of memory. */
static int tuning_remember(tuning_store *c, const char *name, const char *value)
{
    tuning_entry *e = tuning_find(c, name);
    char *v = strdup(value);
    if (!v)
        return 0;
    if (e) {
        free(e->value);
        e->value = v;
        return 1;
    }
    if (c->tuning_count == c->tuning_capacity) {
        size_t cap = c->tuning_capacity ? c->tuning_capacity * 2 : 8;
        tuning_entry *grown = realloc(c->tuning, cap * sizeof *grown);
        if (!grown) {
            free(v);
            return 0;
        }
        c->tuning = grown;
        c->tuning_capacity = cap;
    }
    char *n = strdup(name);
    if (!n) {
        free(v);
        return 0;
    }
    c->tuning[c->tuning_count++] = (tuning_entry){n, v};
    return 1;
}

/* Splits a tuning line "name\tdevice\tdriver\tvalue" in place; 0 when it
 * is malformed (a comment, too few fields, no newline at its end). */
static int tuning_split(char *line, char *field[4])
{
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n' || line[0] == '#')
        return 0;
    line[len - 1] = '\0';
    field[0] = line;
    for (int i = 1; i < 4; i++) {
        char *tab = strchr(field[i - 1], '\t');
        if (!tab)
            return 0;
        *tab = '\0';
        field[i] = tab + 1;
    }
    return strchr(field[3], '\t') == NULL;
}

static int tuning_line_is(char *line, const clinfer_runtime *rt, const char *name,
                          char **value)
{
    char *f[4];
    if (!tuning_split(line, f))
        return 0;
    *value = f[3];
    return strcmp(f[0], name) == 0 && strcmp(f[1], rt->info.name) == 0 &&
           strcmp(f[2], rt->info.driver_version) == 0;
}

/* Skips the rest of a line longer than the buffer. */
static void skip_long_line(FILE *f, const char *buf)
{
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] != '\n') {
        int ch;
        while ((ch = fgetc(f)) != EOF && ch != '\n')
            ;
    }
}

int tuning_get(clinfer_runtime *rt, const char *name, char *value, size_t cap)
{
    tuning_store *c = rt->tuning;
    int found = 0;
    pthread_mutex_lock(&c->lock);
    tuning_entry *e = tuning_find(c, name);
    if (e) {
        found = strlen(e->value) < cap;
        if (found)
            snprintf(value, cap, "%s", e->value);
    } else if (c->tuning_file) {
        const char *why = NULL;
        FILE *f = safe_fopen_read(c->tuning_file, TUNING_FILE_MAX, &why);
        if (!f && strcmp(why, "absent") != 0)
            rt_log(rt, CLINFER_LOG_WARNING, "tuning: ignoring %s (%s)", c->tuning_file, why);
        char line[TUNING_LINE_MAX], *v = NULL;
        while (f && !found && fgets(line, sizeof line, f)) {
            int long_line = strchr(line, '\n') == NULL;
            size_t name_len = strlen(name);
            int for_name = strncmp(line, name, name_len) == 0 && line[name_len] == '\t';
            v = NULL; /* stays NULL for a malformed line */
            int ours = tuning_line_is(line, rt, name, &v);
            if (ours && strlen(v) < cap) {
                snprintf(value, cap, "%s", v);
                tuning_remember(c, name, v); /* memory only: a failure costs a reread */
                found = 1;
            } else if (for_name && (ours || !v)) { /* measured again: say why */
                rt_log(rt, CLINFER_LOG_WARNING,
                       "tuning: ignoring a malformed or oversized %s line in %s", name,
                       c->tuning_file);
            }
            if (long_line)
                skip_long_line(f, line);
        }
        if (f)
            fclose(f);
    }
    pthread_mutex_unlock(&c->lock);
    return found;
}

void tuning_search_begin(clinfer_runtime *rt) { pthread_mutex_lock(&rt->tuning->search_lock); }
void tuning_search_end(clinfer_runtime *rt) { pthread_mutex_unlock(&rt->tuning->search_lock); }

const char *tuning_path(const clinfer_runtime *rt)
{
    return rt && rt->tuning ? rt->tuning->tuning_file : NULL;
}

/* Rewrites the tuning file with name = value for this device: the other
 * lines are kept, an older line for the same key is dropped. */
static void tuning_write(const clinfer_runtime *rt, const char *path, const char *name,
                         const char *value)
{
    char tmp[4200], line[TUNING_LINE_MAX], copy[TUNING_LINE_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *out = safe_fopen_write(tmp);
    if (!out) {
        rt_log(rt, CLINFER_LOG_WARNING, "tuning: cannot write %s: %s", tmp, strerror(errno));
        return;
    }
    int ok = fprintf(out, "# clinfer tuning results: name, device, driver, value "
                          "(tab-separated); delete to measure again\n") > 0;
    const char *why = NULL;
    FILE *in = safe_fopen_read(path, TUNING_FILE_MAX, &why); /* refused: rewritten anew */
    while (in && ok && fgets(line, sizeof line, in)) {
        char *f[4];
        if (strchr(line, '\n') == NULL) {
            skip_long_line(in, line); /* malformed: dropped */
            continue;
        }
        memcpy(copy, line, sizeof line);
        if (!tuning_split(copy, f)) /* comments and malformed lines are dropped */
            continue;
        if (strcmp(f[0], name) != 0 || strcmp(f[1], rt->info.name) != 0 ||
            strcmp(f[2], rt->info.driver_version) != 0)
            ok = fputs(line, out) >= 0;
    }
    if (in)
        fclose(in);
    if (ok)
        ok = fprintf(out, "%s\t%s\t%s\t%s\n", name, rt->info.name, rt->info.driver_version,
                     value) > 0;
    ok = (fclose(out) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        rt_log(rt, CLINFER_LOG_WARNING, "tuning: cannot store %s", path);
        remove(tmp);
    }
}

void tuning_put(clinfer_runtime *rt, const char *name, const char *value)
{
    tuning_store *c = rt->tuning;
    if (strpbrk(name, "\t\n") || strpbrk(value, "\t\n"))
        return;
    pthread_mutex_lock(&c->lock);
    if (!tuning_remember(c, name, value))
        rt_log(rt, CLINFER_LOG_WARNING, "tuning: out of memory storing %s", name);
    if (c->tuning_file)
        tuning_write(rt, c->tuning_file, name, value);
    pthread_mutex_unlock(&c->lock);
}

void tuning_keep(clinfer_runtime *rt, const char *name, const char *value)
{
    tuning_store *c = rt->tuning;
    pthread_mutex_lock(&c->lock);
    if (!tuning_remember(c, name, value))
        rt_log(rt, CLINFER_LOG_WARNING, "tuning: out of memory keeping %s", name);
    pthread_mutex_unlock(&c->lock);
}
