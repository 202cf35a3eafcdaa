/*
 * guard_alloc.c - an LD_PRELOAD allocator that makes reads past the end of
 * an aligned allocation fault at once. PoCL's CPU device allocates every
 * buffer with posix_memalign / aligned_alloc, where a kernel reading a few
 * KB past a buffer usually lands in mapped memory and goes unnoticed; here
 * each such block gets its own mapping that ends exactly at a PROT_NONE
 * page:
 *
 *   [ head page | ... block ... ][ guard page (PROT_NONE) ]
 *                ^ aligned start, end at the page boundary (less the
 *                  rounding of the size up to the alignment)
 *
 * Covered: posix_memalign, aligned_alloc, memalign, valloc, pvalloc, and
 * free / realloc / malloc_usable_size of the blocks they return (plain
 * malloc is untouched). Blocks are found again through a hash table of
 * their addresses, so free() never reads memory it does not own.
 *
 * Environment: GUARD_ALLOC_MIN (bytes, default 1): smaller requests go to
 * the C library; GUARD_ALLOC_FRONT=1 puts the PROT_NONE page before each
 * block instead (its start at the page boundary: reads before a buffer
 * fault); GUARD_ALLOC_VERBOSE=1 prints one line at load.
 * Build: tests/guard/CMakeLists.txt (libclinfer_guard_alloc.so); run:
 *   LD_PRELOAD=build/tests/guard/libclinfer_guard_alloc.so PROGRAM
 * Not for use with AddressSanitizer (which has its own allocator).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* glibc's own entry points, for everything the shim does not guard. */
extern void *__libc_malloc(size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

/* One guarded block: the mapping [base, base + len) and the size asked. */
typedef struct block {
    uintptr_t ptr; /* 0: empty slot; 1: deleted */
    uintptr_t base;
    size_t len, size;
} block;

#define TABLE_BITS 20 /* a million live blocks; PoCL holds a few thousand */
#define TABLE_SIZE ((size_t)1 << TABLE_BITS)
#define DELETED ((uintptr_t)1)

static block *table;
static size_t page_size;
static size_t min_size = 1;
static int front; /* the guard page before the block, not after */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    const char *m = getenv("GUARD_ALLOC_MIN");
    if (m && *m)
        min_size = strtoull(m, NULL, 10);
    void *t = mmap(NULL, TABLE_SIZE * sizeof(block), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    table = t == MAP_FAILED ? NULL : t;
    const char *f = getenv("GUARD_ALLOC_FRONT");
    front = f && *f == '1';
    const char *v = getenv("GUARD_ALLOC_VERBOSE");
    if (v && *v == '1')
        fprintf(stderr, "guard_alloc: aligned blocks of >= %zu bytes %s a PROT_NONE page%s\n",
                min_size, front ? "start after" : "end at",
                table ? "" : " (table mmap failed: disabled)");
}

static size_t slot_of(uintptr_t p)
{
    uint64_t h = (uint64_t)p * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> (64 - TABLE_BITS));
}

/* The slot holding p, or NULL. Caller holds the lock. */
static block *find(uintptr_t p)
{
    for (size_t i = slot_of(p), n = 0; n < TABLE_SIZE; i = (i + 1) & (TABLE_SIZE - 1), n++) {
        if (table[i].ptr == p)
            return &table[i];
        if (table[i].ptr == 0)
            return NULL;
    }
    return NULL;
}

static int insert(const block *b)
{
    for (size_t i = slot_of(b->ptr), n = 0; n < TABLE_SIZE;
         i = (i + 1) & (TABLE_SIZE - 1), n++) {
        if (table[i].ptr <= DELETED) {
            table[i] = *b;
            return 0;
        }
    }
    return -1;
}

/* A block of `size` bytes aligned to `alignment` whose end (rounded up to
 * the alignment) is the first byte of a PROT_NONE page. */
static void *guarded(size_t alignment, size_t size)
{
    if (alignment < sizeof(void *))
        alignment = sizeof(void *);
    const size_t rounded = (size + alignment - 1) / alignment * alignment;
    /* room for the block, for aligning its start, and the guard page */
    const size_t body = (rounded + page_size - 1) / page_size * page_size;
    const size_t extra = alignment > page_size ? alignment : 0;
    const size_t len = page_size + extra + body + page_size;
    char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    char *guard = front ? base : base + len - page_size;
    if (mprotect(guard, page_size, PROT_NONE) != 0) {
        munmap(base, len);
        return NULL;
    }
    char *ptr;
    if (front) { /* right after the guard (alignment above a page: moved up) */
        ptr = base + page_size;
        ptr += (alignment - (uintptr_t)ptr % alignment) % alignment;
    } else { /* aligned: guard is page-aligned, rounded a multiple of alignment */
        ptr = guard - rounded;
        ptr -= (uintptr_t)ptr % alignment; /* alignment above a page: move down */
    }
    block b = {(uintptr_t)ptr, (uintptr_t)base, len, size};
    pthread_mutex_lock(&lock);
    const int ok = insert(&b) == 0;
    pthread_mutex_unlock(&lock);
    if (!ok) {
        munmap(base, len);
        return NULL;
    }
    return ptr;
}

/* Guards the request if it is big enough and the table exists; else NULL
 * with *fallback set. */
static void *maybe_guarded(size_t alignment, size_t size, int *fallback)
{
    pthread_once(&once, init);
    *fallback = !table || size < min_size || size == 0;
    return *fallback ? NULL : guarded(alignment, size);
}

/* Removes p from the table; returns its block (ptr 0 if not ours). */
static block take(void *p)
{
    block b = {0, 0, 0, 0};
    if (!p || !table)
        return b;
    pthread_mutex_lock(&lock);
    block *s = find((uintptr_t)p);
    if (s) {
        b = *s;
        s->ptr = DELETED;
    }
    pthread_mutex_unlock(&lock);
    return b;
}

static size_t guarded_size(void *p)
{
    size_t size = 0;
    if (!p || !table)
        return 0;
    pthread_mutex_lock(&lock);
    block *s = find((uintptr_t)p);
    if (s)
        size = s->size;
    pthread_mutex_unlock(&lock);
    return size;
}

int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0)
        return EINVAL;
    int fallback;
    void *p = maybe_guarded(alignment, size, &fallback);
    if (fallback)
        p = __libc_memalign(alignment, size);
    if (!p && size)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size)
{
    int fallback;
    void *p = maybe_guarded(alignment, size, &fallback);
    if (fallback)
        p = __libc_memalign(alignment, size);
    if (!p)
        errno = ENOMEM;
    return p;
}

void *memalign(size_t alignment, size_t size) { return aligned_alloc(alignment, size); }

void *valloc(size_t size)
{
    pthread_once(&once, init);
    return aligned_alloc(page_size, size);
}

void *pvalloc(size_t size)
{
    pthread_once(&once, init);
    return aligned_alloc(page_size, (size + page_size - 1) / page_size * page_size);
}

void free(void *p)
{
    block b = take(p);
    if (b.ptr)
        munmap((void *)b.base, b.len);
    else
        __libc_free(p);
}

void *realloc(void *p, size_t size)
{
    const size_t old = guarded_size(p);
    if (!old)
        return __libc_realloc(p, size);
    void *q = __libc_malloc(size ? size : 1);
    if (!q)
        return NULL;
    memcpy(q, p, old < size ? old : size);
    free(p);
    return q;
}

size_t malloc_usable_size(void *p)
{
    const size_t size = guarded_size(p);
    if (size || !p)
        return size;
    size_t (*next)(void *) = NULL;
    void *sym = dlsym(RTLD_NEXT, "malloc_usable_size");
    memcpy(&next, &sym, sizeof next); /* ISO C has no object-to-function cast */
    return next ? next(p) : 0;
}
