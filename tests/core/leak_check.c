/* leak_check.c: every way a value of every type is made and dies, through the C core alone (no Python), for
 * LeakSanitizer: test_core_leaks.py builds it with -fsanitize=address,undefined and with -fsanitize=leak and
 * runs it with detect_leaks=1, so any allocation left unreachable (a value its entry forgot) fails the run.
 *
 * Whenever the keyspace is empty, used_memory must be exactly what it then holds (empty_cost: the shard array,
 * the tables, S3-FIFO's ghosts), to the byte.
 * Part 1: for each type, in a big encoding (hashtable, skiplist) and a small one (listpack, intset), each
 * death (DEL, UNLINK, GETDEL, pops, moves and removals to empty, LTRIM, SET over, RENAME onto, *STORE over,
 * COPY REPLACE, expiry past, lazy and active, eviction under each policy).
 * Part 2: eviction under every policy, by writes and by the cron, then FLUSHALL.
 * Part 3: a seeded random mix of those commands on a few keys, with limits and policies changing.
 * The keyspace is freed at the end; LSan then reports whatever was lost.  Prints "ok" or the failures. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keyspace.h" /* the white-box check: what an empty keyspace holds (empty_cost) */

#define MAXARGS 260
enum { T_STRING, T_HASH, T_LIST, T_SET, T_ZSET, NTYPES };
static const char *const type_names[NTYPES] = {"string", "hash", "list", "set", "zset"};
static const char *const policies[] = {"allkeys-lru", "allkeys-lfu", "allkeys-random", "allkeys-s3fifo",
                                       "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"};
#define NPOLICIES (int)(sizeof policies / sizeof policies[0])

static rd_keyspace *ks;
static rd_buf *out;
static int failures;
static int lenient; /* part 3: a write may be refused (OOM under a volatile policy, WRONGTYPE) */
static const char *scenario = "";

static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (failures++ < 20) {
        printf("%s: ", scenario);
        vprintf(fmt, ap);
        putchar('\n');
    }
    va_end(ap);
}

/* Runs a type command; its reply's first byte ('-' for an error). */
static char exec_argv(int argc, const char **argv) {
    size_t argl[MAXARGS];
    for (int i = 0; i < argc; i++) argl[i] = strlen(argv[i]);
    rd_buf_clear(out);
    if (rd_exec(ks, argc, argv, argl, 2, out) != RD_OK) fail("%s: not run", argv[0]);
    return rd_buf_len(out) ? rd_buf_data(out)[0] : 0;
}

/* exec_argv of a NULL-terminated list; an error reply is a failure unless the command may refuse. */
static void cmd(const char *first, ...) {
    const char *argv[MAXARGS];
    int argc = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < MAXARGS; a = va_arg(ap, const char *)) argv[argc++] = a;
    va_end(ap);
    if (exec_argv(argc, argv) == '-') fail("%s -> %.*s", first, (int)rd_buf_len(out), rd_buf_data(out));
}

static uint64_t ks_stat(int which) {
    uint64_t st[RD_KS_NSTATS];
    rd_ks_stats(ks, st, RD_KS_NSTATS);
    return st[which];
}

/* What an empty keyspace holds, as used_memory counts it (keyspace.c, evict.c). */
static uint64_t empty_cost(void) {
    uint64_t n = malloc_usable_size(ks) + malloc_usable_size(ks->shards) + 2 * KS_MALLOC_OVERHEAD;
    for (unsigned i = 0; i < KS_NSHARDS; i++) {
        const shard *s = &ks->shards[i];
        n += malloc_usable_size(s->table) + KS_MALLOC_OVERHEAD;
        if (s->ev.ghost) n += malloc_usable_size(s->ev.ghost) + KS_MALLOC_OVERHEAD;
    }
    return n;
}

static void check_empty(const char *when) {
    uint64_t keys = ks_stat(RD_KS_KEYS), used = ks_stat(RD_KS_USED_MEMORY), want = empty_cost();
    if (keys) fail("%s: %llu keys left", when, (unsigned long long)keys);
    else if (used != want)
        fail("%s: used_memory %llu, but the empty keyspace holds %llu", when, (unsigned long long)used,
             (unsigned long long)want);
}

static int exists(const char *key) { return rd_ks_exists(ks, key, strlen(key)) == RD_OK; }

/* ---- values ---------------------------------------------------------------------------------- */

/* Value number i's elements: 64 of ~1 KB (even i: hashtable, skiplist) or 20 short ones (listpack). */
static char elems[64][1100];
static const char *elem_ptrs[64];

static int elements(int i) {
    int n = i % 2 ? 20 : 64, len = i % 2 ? 8 : 1000;
    for (int j = 0; j < n; j++) {
        int k = snprintf(elems[j], sizeof elems[j], "%d:%d:", i, j);
        memset(elems[j] + k, 'a' + j % 26, (size_t)(len - k));
        elems[j][len] = 0;
        elem_ptrs[j] = elems[j];
    }
    return n;
}

static char nums[400][16];

/* Makes value i of the type at key (absent). */
static void make(int type, const char *key, int i) {
    const char *argv[MAXARGS];
    static char fields[64][16], scores[64][16];
    int n = elements(i), argc = 2;
    argv[1] = key;
    switch (type) {
    case T_STRING: {
        static char big[64 * 1000];
        size_t len = i % 2 ? 200 : sizeof big;
        memset(big, 's', len);
        if (rd_ks_set(ks, key, strlen(key), big, len, 0, 0, NULL, NULL) != RD_OK && !lenient) fail("SET %s", key);
        return;
    }
    case T_HASH:
        argv[0] = "HSET";
        for (int j = 0; j < n; j++) {
            snprintf(fields[j], sizeof fields[j], "f%d", j);
            argv[argc++] = fields[j];
            argv[argc++] = elem_ptrs[j];
        }
        break;
    case T_LIST:
        argv[0] = "RPUSH";
        for (int j = 0; j < n; j++) argv[argc++] = elem_ptrs[j];
        break;
    case T_SET:
        argv[0] = "SADD";
        if (i % 2) { /* an intset */
            for (int j = 0; j < 200; j++) {
                snprintf(nums[j], sizeof nums[j], "%d", i * 1000 + j);
                argv[argc++] = nums[j];
            }
        } else {
            for (int j = 0; j < n; j++) argv[argc++] = elem_ptrs[j];
        }
        break;
    default:
        argv[0] = "ZADD";
        for (int j = 0; j < n; j++) {
            snprintf(scores[j], sizeof scores[j], "%d", j);
            argv[argc++] = scores[j];
            argv[argc++] = elem_ptrs[j];
        }
    }
    if (exec_argv(argc, argv) == '-' && !lenient) fail("making a %s", type_names[type]);
}

/* ---- deaths: each kills the value at "k" (made by make(type, "k", i)) ------------------------------ */

typedef void (*death_fn)(int type, int i);

static void d_del(int type, int i) {
    (void)type, (void)i;
    rd_ks_del(ks, "k", 1);
}

static void d_unlink(int type, int i) {
    const char *keys[2] = {"k", "nokey"};
    size_t kl[2] = {1, 5};
    int64_t n;
    (void)type, (void)i;
    rd_ks_multi(ks, RD_MULTI_DEL, 2, keys, kl, &n);
}

static void d_set_over(int type, int i) {
    (void)type, (void)i;
    rd_ks_set(ks, "k", 1, "x", 1, 0, 0, NULL, NULL);
    rd_ks_del(ks, "k", 1);
}

static void d_rename_onto(int type, int i) {
    make(type, "src", i + 2);
    if (rd_ks_rename(ks, "src", 3, "k", 1, 0) != RD_OK) fail("RENAME");
    rd_ks_del(ks, "k", 1);
}

static void d_copy_replace(int type, int i) {
    make(type, "src", i + 2);
    if (rd_ks_copy(ks, "src", 3, "k", 1, 1) != RD_OK) fail("COPY");
    rd_ks_del(ks, "k", 1);
    rd_ks_del(ks, "src", 3);
}

/* *STORE over k: replaced by a copy of a set or zset, then by an empty result (which deletes k). */
static void d_store(int type, int i) {
    make(i % 4 < 2 ? T_SET : T_ZSET, "src", i + 2);
    switch (i % 4) {
    case 0: cmd("SUNIONSTORE", "k", "src", NULL); cmd("SINTERSTORE", "k", "src", "src", NULL); break;
    case 1: cmd("SDIFFSTORE", "k", "src", "nokey", NULL); break;
    case 2: cmd("ZUNIONSTORE", "k", "1", "src", NULL); cmd("ZINTERSTORE", "k", "1", "src", NULL); break;
    default: cmd("ZRANGESTORE", "k", "src", "0", "-1", NULL); cmd("ZDIFFSTORE", "k", "1", "src", NULL); break;
    }
    cmd(type % 2 ? "SUNIONSTORE" : "SDIFFSTORE", "k", "nokey", NULL);
    if (exists("k")) fail("*STORE of an empty result left the key");
    rd_ks_del(ks, "src", 3);
}

static void d_expire_past(int type, int i) {
    (void)type, (void)i;
    rd_ks_expire(ks, "k", 1, rd_now_ms() - 1000, 0);
}

static void sleep_ms(long ms) {
    struct timespec ts = {0, ms * 1000000};
    nanosleep(&ts, NULL);
}

static void d_expire_lazy(int type, int i) {
    (void)type, (void)i;
    rd_ks_expire(ks, "k", 1, rd_now_ms() + 1, 0);
    sleep_ms(3);
    if (exists("k")) fail("an expired key was read");
}

static void d_expire_active(int type, int i) {
    uint64_t n = 0;
    (void)type, (void)i;
    rd_ks_expire(ks, "k", 1, rd_now_ms() + 1, 0);
    sleep_ms(3);
    for (int tries = 0; tries < 100000 && ks_stat(RD_KS_KEYS) > 0; tries++) rd_ks_active_expire(ks, 1000, &n);
}

/* Popping, moving or removing every element: Redis deletes the emptied key. */
static void d_empty(int type, int i) {
    int n = elements(i);
    switch (type) {
    case T_STRING: rd_ks_getex(ks, "k", 1, RD_GETEX_DEL, 0, out); break;
    case T_HASH: {
        static char fields[64][16];
        const char *argv[66] = {"HDEL", "k"};
        for (int j = 0; j < n; j++) snprintf(fields[j], sizeof fields[j], "f%d", j), argv[2 + j] = fields[j];
        if (i % 4 < 2) exec_argv(2 + n / 2, argv); /* half, then the rest */
        exec_argv(2 + n, argv);
        break;
    }
    case T_LIST:
        switch (i % 4) {
        case 0:
            cmd("LPOP", "k", NULL); cmd("BRPOP", "none", "k", "0", NULL); cmd("LMPOP", "2", "none", "k", "LEFT", "COUNT", "2", NULL);
            cmd("RPOP", "k", "5", NULL); cmd("LPOP", "k", "1000", NULL);
            break;
        case 1: cmd("LTRIM", "k", "2", "9", NULL); cmd("LTRIM", "k", "5", "4", NULL); break;
        case 2: cmd("LREM", "k", "1", elem_ptrs[0], NULL); cmd("LTRIM", "k", "1", "0", NULL); break;
        default: /* moved element by element onto "dst", which dies too */
            for (int j = 0; j < n; j++)
                if (j % 2) cmd("RPOPLPUSH", "k", "dst", NULL);
                else cmd("LMOVE", "k", "dst", "LEFT", "RIGHT", NULL);
            rd_ks_del(ks, "dst", 3);
        }
        break;
    case T_SET:
        if (i % 4 == 3) {
            for (int j = 0; j < (i % 2 ? 200 : n); j++) cmd("SMOVE", "k", "dst", i % 2 ? nums[j] : elem_ptrs[j], NULL);
            rd_ks_del(ks, "dst", 3);
        } else {
            cmd("SPOP", "k", NULL);
            cmd("SPOP", "k", "1000", NULL);
        }
        break;
    default:
        switch (i % 4) {
        case 0:
            cmd("ZPOPMIN", "k", NULL); cmd("BZPOPMAX", "none", "k", "0", NULL); cmd("ZPOPMAX", "k", "3", NULL);
            cmd("ZMPOP", "1", "k", "MIN", "COUNT", "1000", NULL);
            break;
        case 1: cmd("ZREMRANGEBYRANK", "k", "0", "9", NULL); cmd("ZREMRANGEBYSCORE", "k", "-inf", "+inf", NULL); break;
        case 2: cmd("ZREM", "k", elem_ptrs[1], NULL); cmd("ZREMRANGEBYRANK", "k", "0", "-1", NULL); break;
        default: cmd("ZREM", "k", elem_ptrs[0], elem_ptrs[2], NULL); cmd("ZPOPMAX", "k", "1000", NULL);
        }
    }
}

/* Eviction: k is the oldest key when "new" is written through a limit that fits only one of them. */
static void d_evict(int type, int i) {
    uint64_t used = ks_stat(RD_KS_USED_MEMORY);
    const char *policy = policies[i % NPOLICIES];
    rd_ks_set_policy(ks, policy);
    if (!strncmp(policy, "volatile", 8)) rd_ks_expire(ks, "k", 1, rd_now_ms() + 3600000, 0);
    rd_ks_set_maxmemory(ks, used + 1);
    make(T_STRING, "new", 1); /* over the limit after it: k must go */
    if (exists("k")) fail("not evicted under %s", policy);
    rd_ks_set_maxmemory(ks, 0);
    rd_ks_del(ks, "new", 3);
    (void)type;
}

static const struct {
    const char *name;
    death_fn fn;
} deaths[] = {
    {"DEL", d_del}, {"UNLINK", d_unlink}, {"SET over", d_set_over}, {"RENAME onto", d_rename_onto},
    {"COPY REPLACE", d_copy_replace}, {"*STORE over", d_store}, {"EXPIRE in the past", d_expire_past},
    {"lazy expiry", d_expire_lazy}, {"active expiry", d_expire_active}, {"emptied", d_empty},
    {"eviction", d_evict},
};
#define NDEATHS (int)(sizeof deaths / sizeof deaths[0])

static void part1_exact(void) {
    char name[96];
    for (int type = 0; type < NTYPES; type++) {
        for (int d = 0; d < NDEATHS; d++) {
            for (int i = 0; i < 2 * NPOLICIES; i++) {
                if (deaths[d].fn != d_evict && deaths[d].fn != d_empty && deaths[d].fn != d_store && i >= 4) break;
                snprintf(name, sizeof name, "%s value %d dying by %s", type_names[type], i, deaths[d].name);
                scenario = name;
                uint64_t before = ks_stat(RD_KS_USED_MEMORY);
                make(type, "k", i);
                if (ks_stat(RD_KS_USED_MEMORY) <= before) fail("making it counted nothing");
                deaths[d].fn(type, i);
                check_empty("after");
            }
        }
    }
}

/* ---- part 2: eviction through a limit, by writes and by the cron ---------------------------------- */

static void part2_evict(void) {
    char key[32];
    uint64_t n;
    scenario = "eviction under each policy";
    for (int p = 0; p < NPOLICIES; p++) {
        rd_ks_set_policy(ks, policies[p]);
        rd_ks_set_maxmemory(ks, 1u << 20);
        for (int i = 0; i < 150; i++) {
            snprintf(key, sizeof key, "e%d:%d", p, i);
            make(i % NTYPES, key, i);
            if (p >= 4) rd_ks_expire(ks, key, strlen(key), rd_now_ms() + 3600000 + i, 0);
        }
        if (ks_stat(RD_KS_EVICTED) == 0) fail("nothing evicted under %s", policies[p]);
        rd_ks_set_maxmemory(ks, 1); /* the cron's path: everything goes */
        for (int tries = 0; tries < 1000 && ks_stat(RD_KS_KEYS) > 0; tries++) rd_ks_evict(ks, 10000, &n);
        check_empty(policies[p]);
        rd_ks_set_maxmemory(ks, 0);
    }
    for (int i = 0; i < 50; i++) {
        snprintf(key, sizeof key, "f%d", i);
        make(i % NTYPES, key, i);
    }
    rd_ks_flush(ks);
    check_empty("FLUSHALL");
}

/* ---- part 3: a seeded random mix ------------------------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned rnd(unsigned n) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void part3_random(int rounds) {
    static const char *const keys[] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"};
    char count[8];
    scenario = "random mix";
    lenient = 1;
    for (int r = 0; r < rounds; r++) {
        const char *a = keys[rnd(8)], *b = keys[rnd(8)];
        const char *argv[6] = {0};
        int argc = 0;
        switch (rnd(16)) {
        case 0: case 1: case 2: rd_ks_del(ks, a, 2); make(rnd(NTYPES), a, (int)rnd(1000)); break;
        case 3: rd_ks_del(ks, a, 2); break;
        case 4: rd_ks_rename(ks, a, 2, b, 2, (int)rnd(2)); break;
        case 5: if (a != b) rd_ks_copy(ks, a, 2, b, 2, (int)rnd(2)); break;
        case 6: rd_ks_expire(ks, a, 2, rd_now_ms() + (int)rnd(3) - 1, 0); break;
        case 7: { uint64_t n; rd_ks_active_expire(ks, 100, &n); break; }
        case 8: rd_ks_set_policy(ks, policies[rnd(NPOLICIES)]); rd_ks_set_maxmemory(ks, rnd(3) ? 0 : 200000 + rnd(400000)); break;
        case 9: rd_ks_set(ks, a, 2, "v", 1, 0, 0, NULL, NULL); break;
        default: {
            static const char *const ops[][4] = {
                {"LPOP", "", "", ""}, {"SPOP", "", "", ""}, {"ZPOPMIN", "", "", ""}, {"LTRIM", "1", "3", ""},
                {"SUNIONSTORE", "@", "", ""}, {"ZUNIONSTORE", "1", "@", ""}, {"LMOVE", "@", "LEFT", "LEFT"},
                {"HDEL", "f1", "f2", ""}, {"SMOVE", "@", "5", ""}, {"ZREMRANGEBYRANK", "0", "5", ""}};
            int o = (int)rnd(10);
            snprintf(count, sizeof count, "%u", rnd(40));
            argv[argc++] = ops[o][0];
            argv[argc++] = a;
            for (int j = 1; j < 4 && ops[o][j][0]; j++) argv[argc++] = ops[o][j][0] == '@' ? b : ops[o][j];
            if (o < 3 && rnd(2)) argv[argc++] = count;
            exec_argv(argc, argv); /* WRONGTYPE and the like are fine here */
        }
        }
    }
    rd_ks_set_maxmemory(ks, 0);
    for (int i = 0; i < 8; i++) rd_ks_del(ks, keys[i], 2);
    check_empty("the end");
}

int main(void) {
    ks = rd_keyspace_new(12345); /* fixed seed: which keys share a shard is the same every run */
    out = rd_buf_new();
    if (!ks || !out) return 2;
    check_empty("the start");
    part1_exact();
    part2_evict();
    part3_random(20000);
    rd_buf_free(out);
    rd_keyspace_free(ks);
    if (failures) printf("%d failures\n", failures);
    else puts("ok");
    fflush(stdout); /* before LeakSanitizer's report, which ends the process its own way */
    return failures != 0;
}
