/* stress_pubsub.c: Pub/Sub across threads, for ThreadSanitizer and ASan/UBSan (test_core_sanitizers.py
 * builds it straight from csrc/).  Two workers, each driven by its own owner thread with 8 subscriber
 * connections (channel "ch", half of them also pattern "c*", a quarter shard channel "sh"); 3 publisher
 * threads PUBLISH and SPUBLISH numbered messages while each owner delivers its inboxes
 * (rd_worker_deliver on its eventfd) and reads the connections' output, and also churns short-lived
 * subscribers (subscribe, unsubscribe, RESET-like unsubscribe_all, free with messages pending).  Every
 * stable subscriber must get every message of every publisher, each publisher's in order.  Prints "ok"
 * or the first violation. */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redistill.h"

#define WORKERS 2
#define SUBS 8
#define PUBS 3
#define MSGS 3000

static rd_keyspace *ks;
static int failed;
static char failure[256];
static volatile int publishers_done;

static void fail(const char *what, int a, int b) {
    if (!__atomic_exchange_n(&failed, 1, __ATOMIC_SEQ_CST))
        snprintf(failure, sizeof failure, "%s (%d, %d)", what, a, b);
}

typedef struct sub {
    rd_conn *c;
    int pattern, shard;
    int next[3][PUBS]; /* per kind (message, pmessage, smessage), the next number of each publisher */
} sub;

/* One "*N\r\n" + N bulks frame at p (end e): the last bulk's bytes; returns the bytes used, 0 if partial. */
static size_t frame(const char *p, const char *e, const char **kind, size_t *klen, const char **last,
                    size_t *llen) {
    const char *q = p;
    char *end;
    if (q >= e || *q != '*') return 0;
    long n = strtol(q + 1, &end, 10);
    q = end + 2;
    for (long i = 0; i < n; i++) {
        if (q >= e) return 0;
        long len = strtol(q + 1, &end, 10);
        const char *data = end + 2;
        if (data + len + 2 > e) return 0;
        if (i == 0) {
            *kind = data;
            *klen = (size_t)len;
        }
        *last = data;
        *llen = (size_t)len;
        q = data + len + 2;
    }
    return (size_t)(q - p);
}

static void check_output(sub *s) {
    const char *data;
    size_t len, used = 0;
    rd_conn_output(s->c, &data, &len);
    while (used < len) {
        const char *kind = "", *last = "";
        size_t klen = 0, llen = 0;
        size_t n = frame(data + used, data + len, &kind, &klen, &last, &llen);
        if (!n) break;
        used += n;
        int k = klen == 7 ? 0 : kind[0] == 'p' ? 1 : kind[0] == 's' && klen == 8 ? 2 : -1;
        if (k < 0) continue; /* a confirmation */
        int who = last[0] - '0', num = atoi(last + 2);
        if (who < 0 || who >= PUBS) fail("bad payload", who, num);
        else if (num != s->next[k][who]) fail("out of order", num, s->next[k][who]);
        else s->next[k][who]++;
    }
    rd_conn_consume_output(s->c, used);
}

static void *owner(void *arg) {
    rd_worker *w = arg;
    rd_buf *b = rd_buf_new();
    sub subs[SUBS];
    int fds[64], sts[64];
    memset(subs, 0, sizeof subs);
    for (int i = 0; i < SUBS; i++) {
        subs[i].c = rd_conn_new(w);
        subs[i].pattern = i % 2 == 0;
        subs[i].shard = i % 4 == 0;
        rd_ps_subscribe(subs[i].c, -1, 0, 0, "ch", 2, b);
        if (subs[i].pattern) rd_ps_subscribe(subs[i].c, -1, 0, 1, "c*", 2, b);
        if (subs[i].shard) rd_ps_subscribe(subs[i].c, -1, 0, 2, "sh", 2, b);
    }
    struct pollfd pfd = {rd_worker_pubsub_fd(w), POLLIN, 0};
    for (int round = 0;; round++) {
        int done = __atomic_load_n(&publishers_done, __ATOMIC_SEQ_CST) == PUBS + 100;
        poll(&pfd, 1, 10);
        rd_worker_deliver(w, fds, sts, 64);
        for (int i = 0; i < SUBS; i++) check_output(&subs[i]);
        /* churn: a short-lived subscriber, sometimes freed with messages still queued for it */
        rd_conn *t = rd_conn_new(w);
        rd_buf_clear(b);
        rd_ps_subscribe(t, -1, 0, round % 3, round % 3 == 1 ? "c*" : round % 3 == 2 ? "sh" : "ch", 2, b);
        rd_ps_subscribe(t, -1, 0, 0, "other", 5, b);
        if (round % 2) rd_ps_unsubscribe(t, 0, "ch", 2, b);
        if (round % 5 == 0) rd_ps_unsubscribe_all(t, round % 3, b);
        rd_ps_numsub(0, "ch", 2);
        rd_buf_clear(b);
        rd_ps_channels(0, "c*", 2, b);
        rd_conn_free(t);
        if (done && round % 4 == 0) {
            int complete = 1;
            for (int i = 0; i < SUBS; i++)
                for (int p = 0; p < PUBS; p++)
                    complete &= subs[i].next[0][p] == MSGS && subs[i].next[1][p] == (subs[i].pattern ? MSGS : 0) &&
                                subs[i].next[2][p] == (subs[i].shard ? MSGS : 0);
            if (complete || failed) break;
            if (round > 200000) {
                fail("messages missing", subs[0].next[0][0], MSGS);
                break;
            }
        }
    }
    for (int i = 0; i < SUBS; i++) rd_conn_free(subs[i].c);
    rd_buf_free(b);
    return NULL;
}

static void *publisher(void *arg) {
    int id = (int)(long)arg;
    rd_buf *self = rd_buf_new();
    char msg[32];
    /* wait until every subscriber is in: owners subscribe before their first poll */
    while (rd_ps_numsub(0, "ch", 2) < WORKERS * SUBS && !failed) ;
    for (int n = 0; n < MSGS; n++) {
        int len = snprintf(msg, sizeof msg, "%d:%d", id, n);
        int64_t got = rd_ps_publish(NULL, 0, "ch", 2, msg, (size_t)len, self);
        if (got < WORKERS * SUBS) fail("too few receivers", (int)got, WORKERS * SUBS);
        rd_ps_publish(NULL, 1, "sh", 2, msg, (size_t)len, self);
    }
    rd_buf_free(self);
    __atomic_add_fetch(&publishers_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

int main(void) {
    pthread_t owners[WORKERS], pubs[PUBS];
    rd_worker *w[WORKERS];
    ks = rd_keyspace_new(1);
    for (int i = 0; i < WORKERS; i++) {
        w[i] = rd_worker_new(ks);
        pthread_create(&owners[i], NULL, owner, w[i]);
    }
    for (long i = 0; i < PUBS; i++) pthread_create(&pubs[i], NULL, publisher, (void *)i);
    for (int i = 0; i < PUBS; i++) pthread_join(pubs[i], NULL);
    __atomic_add_fetch(&publishers_done, 100, __ATOMIC_SEQ_CST);
    for (int i = 0; i < WORKERS; i++) pthread_join(owners[i], NULL);
    for (int i = 0; i < WORKERS; i++) rd_worker_free(w[i]);
    if (!failed && (rd_ps_count(0) || rd_ps_count(1) || rd_ps_count(2)))
        fail("registry not empty", (int)rd_ps_count(0), (int)rd_ps_count(1));
    rd_keyspace_free(ks);
    puts(failed ? failure : "ok");
    return failed;
}
