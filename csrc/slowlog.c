/* slowlog.c: fast-path commands slower than slowlog-log-slower-than, held until Python's SLOWLOG takes them.
 *
 * Rules:
 *  1. Python owns the log (commands/slowlog.py); C only queues the entries of
 *     the commands it ran, already in their final form (trimmed argv, client
 *     address and name as they were), and Python drains the queue on SLOWLOG.
 *  2. One id sequence for both sides (rd_slowlog_next_id), so merged entries
 *     keep the order the commands finished in.
 *  3. Any thread: the queue is behind one mutex, taken only for a slow command
 *     or a drain; the threshold is a relaxed atomic read once per batch.
 *  4. The queue never holds more than slowlog-max-len entries (oldest dropped),
 *     so an unread log costs what Redis's own would.
 */
#include "slowlog.h"
#include "redistill.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SL_MAX_STRING 128 /* SLOWLOG_ENTRY_MAX_STRING */

typedef struct sl_entry {
    struct sl_entry *next;
    size_t len;
    char data[]; /* the drain format, see rd_slowlog_drain */
} sl_entry;

static _Atomic int64_t sl_slower_than = 10000;
static _Atomic uint64_t sl_next_id;
static pthread_mutex_t sl_lock = PTHREAD_MUTEX_INITIALIZER;
static sl_entry *sl_head, *sl_tail; /* oldest first; under sl_lock */
static size_t sl_count, sl_bytes;
static uint64_t sl_max_len = 128;

int64_t sl_threshold(void) { return atomic_load_explicit(&sl_slower_than, memory_order_relaxed); }

void rd_slowlog_config(int64_t slower_than_us, uint64_t max_len) {
    atomic_store_explicit(&sl_slower_than, slower_than_us, memory_order_relaxed);
    pthread_mutex_lock(&sl_lock);
    sl_max_len = max_len;
    pthread_mutex_unlock(&sl_lock);
}

uint64_t rd_slowlog_next_id(void) { return atomic_fetch_add(&sl_next_id, 1); }

static char *put_u64(char *p, uint64_t v) {
    memcpy(p, &v, 8);
    return p + 8;
}

static char *put_str(char *p, const char *s, size_t n, size_t more) {
    uint32_t total = (uint32_t)(n + more);
    memcpy(p, &total, 4);
    memcpy(p + 4, s, n);
    return p + 4 + n;
}

/* An argument as Redis keeps it: SL_MAX_STRING bytes and what was cut. */
static size_t arg_text(size_t n, char *note, size_t *keep) {
    *keep = n > SL_MAX_STRING ? SL_MAX_STRING : n;
    if (n <= SL_MAX_STRING) return 0;
    return (size_t)snprintf(note, 48, "... (%zu more bytes)", n - SL_MAX_STRING);
}

static void drop_oldest(void) {
    sl_entry *e = sl_head;
    sl_head = e->next;
    if (!sl_head) sl_tail = NULL;
    sl_count--;
    sl_bytes -= 4 + e->len;
    free(e);
}

void sl_record(int argc, const char **argv, const size_t *argl, int64_t usec, const char *who,
               size_t who_len) {
    int kept = argc > SL_MAX_ARGC ? SL_MAX_ARGC : argc;
    char note[48];
    size_t keep, size = 8 * 3 + 4 + who_len;
    for (int i = 0; i < kept; i++) {
        if (kept != argc && i == kept - 1) size += 4 + 48;
        else size += 4 + (argl[i] > SL_MAX_STRING ? SL_MAX_STRING + 48 : argl[i]);
    }
    sl_entry *e = malloc(sizeof *e + size);
    if (!e) return; /* the log is best effort, as the command already ran */
    char *p = e->data + 8; /* the id is written under the lock: ids follow queue order */
    p = put_u64(p, (uint64_t)(rd_now_ms() / 1000));
    p = put_u64(p, (uint64_t)(usec < 0 ? 0 : usec));
    uint32_t n32 = (uint32_t)kept;
    memcpy(p, &n32, 4);
    p += 4;
    for (int i = 0; i < kept; i++) {
        if (kept != argc && i == kept - 1) {
            size_t n = (size_t)snprintf(note, sizeof note, "... (%d more arguments)", argc - kept + 1);
            p = put_str(p, note, n, 0);
            break;
        }
        size_t extra = arg_text(argl[i], note, &keep);
        p = put_str(p, argv[i], keep, extra);
        memcpy(p, note, extra);
        p += extra;
    }
    memcpy(p, who, who_len); /* "addr\0name", lengths known from the entry's end */
    p += who_len;
    e->len = (size_t)(p - e->data);
    e->next = NULL;
    pthread_mutex_lock(&sl_lock);
    put_u64(e->data, rd_slowlog_next_id());
    if (sl_max_len == 0) {
        free(e);
    } else {
        if (sl_tail) sl_tail->next = e;
        else sl_head = e;
        sl_tail = e;
        sl_count++;
        sl_bytes += e->len + 4;
        while (sl_count > sl_max_len) drop_oldest();
    }
    pthread_mutex_unlock(&sl_lock);
}

size_t rd_slowlog_pending(void) {
    pthread_mutex_lock(&sl_lock);
    size_t n = sl_bytes;
    pthread_mutex_unlock(&sl_lock);
    return n;
}

size_t rd_slowlog_drain(char *out, size_t cap) {
    size_t used = 0;
    pthread_mutex_lock(&sl_lock);
    while (sl_head && used + 4 + sl_head->len <= cap) {
        uint32_t n = (uint32_t)sl_head->len;
        memcpy(out + used, &n, 4);
        memcpy(out + used + 4, sl_head->data, n);
        used += 4 + n;
        drop_oldest();
    }
    pthread_mutex_unlock(&sl_lock);
    return used;
}
