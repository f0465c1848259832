/* t_geo.c: the GEO commands, on sorted sets whose scores are 52-bit geohashes (geohash.c), each
 * writing Redis 7.0's exact reply. */
#include "geohash.h"
#include "resp.h"
#include "strconv.h"
#include "types.h"
#include "zset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- arguments --------------------------------------------------------------------------- */

/* extractLongLatOrReply: two floats from argv[0..1] within the limits; 0 after the error. */
static int arg_lonlat(tx_ctx *x, const char **argv, const size_t *argl, double xy[2]) {
    for (int i = 0; i < 2; i++) {
        if (!zset_arg_double(argv[i], argl[i], &xy[i])) {
            resp_add_status_error(x->out, RD_ERR_NOTFLOAT);
            return 0;
        }
    }
    if (xy[0] < GEO_LONG_MIN || xy[0] > GEO_LONG_MAX || xy[1] < GEO_LAT_MIN || xy[1] > GEO_LAT_MAX) {
        resp_add_status_errorf(x->out, RD_ERR_GEO_LONLAT, xy[0], xy[1]);
        return 0;
    }
    return 1;
}

/* extractUnitOrReply: meters per unit, or -1 after the error. */
static double arg_unit(tx_ctx *x, const char *a, size_t n) {
    if (arg_is(a, n, "m")) return 1;
    if (arg_is(a, n, "km")) return 1000;
    if (arg_is(a, n, "ft")) return 0.3048;
    if (arg_is(a, n, "mi")) return 1609.34;
    resp_add_status_error(x->out, RD_ERR_GEO_UNIT);
    return -1;
}

/* A radius, width or height: a float, else 0 after its own "need numeric" error (the sign is
 * checked later, as Redis does). */
static int arg_extent(tx_ctx *x, const char *a, size_t n, rd_status not_float, double *out) {
    if (!zset_arg_double(a, n, out)) {
        resp_add_status_error(x->out, not_float);
        return 0;
    }
    return 1;
}

/* ---- replies ------------------------------------------------------------------------------- */

/* A distance with 4 decimals, rounded as llrint (Redis's fixedpoint_d2string), as a bulk. */
static void reply_distance(tx_ctx *x, double d) {
    char digits[24], buf[32];
    long long v = d == 0 ? 0 : llrint(d * 10000.0);
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    size_t k = 0, n = 0;
    do { /* least significant first, at least 5 digits: 0.0000 */
        digits[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u || k < 5);
    if (v < 0) buf[n++] = '-';
    while (k > 4) buf[n++] = digits[--k];
    buf[n++] = '.';
    while (k > 0) buf[n++] = digits[--k];
    resp_add_bulk(x->out, buf, n);
}

/* addReplyHumanLongDouble: "%.17Lf" without trailing zeros; a bulk, or a RESP3 double. */
static void reply_coord(tx_ctx *x, double d) {
    char buf[KS_MAX_FLOAT_CHARS + 3];
    size_t n = format_long_double(buf + 1, sizeof buf - 3, (long double)d);
    if (x->resp == 2) {
        resp_add_bulk(x->out, buf + 1, n);
        return;
    }
    buf[0] = ',';
    memcpy(buf + 1 + n, "\r\n", 2);
    resp_add_raw(x->out, buf, n + 3);
}

/* ---- GEOADD ---------------------------------------------------------------------------------- */

/* GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]: the
 * positions become scores, then ZADD's own work (Redis rewrites the command to a ZADD). */
void tx_geoadd(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    int flags = 0, idx = 2, n;
    double few[8], *scores = few;
    for (; idx < argc; idx++) {
        if (arg_is(argv[idx], argl[idx], "nx")) flags |= ZADD_NX;
        else if (arg_is(argv[idx], argl[idx], "xx")) flags |= ZADD_XX;
        else if (arg_is(argv[idx], argl[idx], "ch")) flags |= ZADD_CH;
        else break;
    }
    n = (argc - idx) / 3;
    /* no triple at all is ZADD's own syntax error */
    if ((argc - idx) % 3 || ((flags & ZADD_NX) && (flags & ZADD_XX)) || n == 0) {
        reply_syntax(x->out);
        return;
    }
    if (n > 8 && !(scores = malloc((size_t)n * sizeof *scores))) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    for (int j = 0; j < n; j++) {
        double xy[2];
        if (!arg_lonlat(x, argv + idx + j * 3, argl + idx + j * 3, xy)) goto done;
        scores[j] = (double)gh_score(xy[0], xy[1]);
    }
    zadd_scores(x, argv[1], argl[1], flags, n, scores, argv + idx + 2, argl + idx + 2, 3);
done:
    if (scores != few) free(scores);
}

/* ---- GEOPOS / GEOHASH / GEODIST -------------------------------------------------------------- */

/* Key argv[1] as a sorted set, read (view open in *v): 1 with *z (NULL: absent), 0 after the
 * error (the view closed). */
static int geo_open(tx_ctx *x, ks_view *v, const char **argv, const size_t *argl, void **z) {
    if (tx_open(x, v, argv + 1, argl + 1, 1) != 0) return 0;
    if (tx_get(x, v, 0, KS_TYPE_ZSET, 1, z)) return 1;
    ks_view_close(v);
    return 0;
}

typedef void (*pos_reply)(tx_ctx *x, const double xy[2]);

/* GEOPOS and GEOHASH: for each member argv[2..], its position's reply, or a null (null_array:
 * an array's) for one not in the set. */
static void reply_members(tx_ctx *x, int argc, const char **argv, const size_t *argl, pos_reply fn, int null_array) {
    ks_view v;
    void *z;
    if (!geo_open(x, &v, argv, argl, &z)) return;
    resp_add_array_len(x->out, argc - 2);
    for (int j = 2; j < argc; j++) {
        double score, xy[2];
        if (!zset_score(z, argv[j], argl[j], &score)) {
            if (null_array)
                reply_null_array(x->out, x->resp);
            else
                resp_add_nil(x->out, x->resp);
            continue;
        }
        gh_decode_score(score, xy);
        fn(x, xy);
    }
    ks_view_close(&v);
}

static void reply_position(tx_ctx *x, const double xy[2]) {
    resp_add_array_len(x->out, 2);
    reply_coord(x, xy[0]);
    reply_coord(x, xy[1]);
}

/* The standard 11-character geohash, re-encoded over latitudes -90..90 (the scores use the
 * Mercator limits); the last character is always '0' (52 bits, not 55). */
static void reply_geohash(tx_ctx *x, const double xy[2]) {
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    static const gh_range lon_r = {-180, 180}, lat_r = {-90, 90};
    gh_bits h = {0, 0};
    char buf[11];
    gh_encode(&lon_r, &lat_r, xy[0], xy[1], 26, &h);
    for (int i = 0; i < 10; i++) buf[i] = alphabet[(h.bits >> (52 - (i + 1) * 5)) & 0x1f];
    buf[10] = alphabet[0];
    resp_add_bulk(x->out, buf, sizeof buf);
}

/* GEOPOS key [member ...] */
void tx_geopos(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    reply_members(x, argc, argv, argl, reply_position, 1);
}

/* GEOHASH key [member ...] */
void tx_geohash(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    reply_members(x, argc, argv, argl, reply_geohash, 0);
}

/* GEODIST key member1 member2 [m|km|ft|mi] */
void tx_geodist(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    double to_meters = 1, s1, s2, a[2], b[2];
    ks_view v;
    void *z;
    if (argc == 5 && (to_meters = arg_unit(x, argv[4], argl[4])) < 0) return;
    if (argc > 5) {
        reply_syntax(x->out);
        return;
    }
    if (!geo_open(x, &v, argv, argl, &z)) return;
    if (!z || !zset_score(z, argv[2], argl[2], &s1) || !zset_score(z, argv[3], argl[3], &s2)) {
        resp_add_nil(x->out, x->resp);
    } else {
        gh_decode_score(s1, a);
        gh_decode_score(s2, b);
        reply_distance(x, gh_distance(a[0], a[1], b[0], b[1]) / to_meters);
    }
    ks_view_close(&v);
}

/* ---- the searches ---------------------------------------------------------------------------- */

enum { G_COORDS = 1, G_MEMBER = 2, G_NOSTORE = 4, G_SEARCH = 8, G_SEARCHSTORE = 16 };
enum { SORT_NONE, SORT_ASC, SORT_DESC };

typedef struct geo_opts {
    geo_shape shape;
    int withdist, withhash, withcoord, any, sort, storedist;
    int frommember, fromloc, byradius, bybox;
    long long count;
    int store; /* argv index of the STORE key, 0 for none */
    int searchstore; /* GEOSEARCHSTORE: its store's keyspace event is "geosearchstore" */
} geo_opts;

/* GEOSEARCH's FROMMEMBER / GEORADIUSBYMEMBER's member: its position; 0 after the error. */
static int member_xy(tx_ctx *x, const void *z, const char *m, size_t n, double xy[2]) {
    double score;
    if (!zset_score(z, m, n, &score)) {
        resp_add_status_error(x->out, RD_ERR_GEO_MEMBER);
        return 0;
    }
    gh_decode_score(score, xy);
    return 1;
}

/* extractDistanceOrReply: radius, unit. */
static int arg_radius(tx_ctx *x, const char **argv, const size_t *argl, geo_shape *s) {
    if (!arg_extent(x, argv[0], argl[0], RD_ERR_GEO_RADIUS, &s->radius)) return 0;
    if (s->radius < 0) {
        resp_add_status_error(x->out, RD_ERR_GEO_RADIUS_NEG);
        return 0;
    }
    return (s->conversion = arg_unit(x, argv[1], argl[1])) >= 0;
}

/* extractBoxOrReply: width, height, unit. */
static int arg_box(tx_ctx *x, const char **argv, const size_t *argl, geo_shape *s) {
    if (!arg_extent(x, argv[0], argl[0], RD_ERR_GEO_WIDTH, &s->width) ||
        !arg_extent(x, argv[1], argl[1], RD_ERR_GEO_HEIGHT, &s->height))
        return 0;
    if (s->height < 0 || s->width < 0) {
        resp_add_status_error(x->out, RD_ERR_GEO_BOX_NEG);
        return 0;
    }
    return (s->conversion = arg_unit(x, argv[2], argl[2])) >= 0;
}

/* The options after base, as georadiusGeneric reads them, errors in its order.  x NULL: a dry
 * run that only follows the words (the STORE key must be known before the keys are locked).
 * z: the source set (NULL when absent: FROMMEMBER is then not looked up).  0 ok, -1 error. */
static int geo_options(tx_ctx *x, int argc, const char **argv, const size_t *argl, int base, int flags,
                       const void *z, geo_opts *o) {
    int search = (flags & G_SEARCH) != 0, storable = !(flags & G_NOSTORE) && !search;
    for (int i = base; i < argc; i++) {
        const char *a = argv[i];
        size_t n = argl[i];
        int left = argc - i - 1; /* words after this one */
        if (arg_is(a, n, "withdist")) o->withdist = 1;
        else if (arg_is(a, n, "withhash")) o->withhash = 1;
        else if (arg_is(a, n, "withcoord")) o->withcoord = 1;
        else if (arg_is(a, n, "any")) o->any = 1;
        else if (arg_is(a, n, "asc")) o->sort = SORT_ASC;
        else if (arg_is(a, n, "desc")) o->sort = SORT_DESC;
        else if (arg_is(a, n, "count") && left >= 1) {
            i++;
            if (!x) continue;
            if (!arg_ll(argv[i], argl[i], &o->count)) {
                resp_add_status_error(x->out, RD_ERR_NOTINT);
                return -1;
            }
            if (o->count <= 0) {
                resp_add_status_error(x->out, RD_ERR_XAUTOCLAIM_COUNT); /* "COUNT must be > 0" */
                return -1;
            }
        } else if ((arg_is(a, n, "store") || arg_is(a, n, "storedist")) && left >= 1 && storable) {
            o->storedist = !arg_is(a, n, "store");
            o->store = ++i;
        } else if (arg_is(a, n, "storedist") && (flags & G_SEARCHSTORE)) {
            o->storedist = 1;
        } else if (arg_is(a, n, "frommember") && left >= 1 && search && !o->fromloc) {
            o->frommember = 1;
            i++;
            if (x && z && !member_xy(x, z, argv[i], argl[i], o->shape.xy)) return -1;
        } else if (arg_is(a, n, "fromlonlat") && left >= 2 && search && !o->frommember) {
            if (x && !arg_lonlat(x, argv + i + 1, argl + i + 1, o->shape.xy)) return -1;
            o->fromloc = 1;
            i += 2;
        } else if (arg_is(a, n, "byradius") && left >= 2 && search && !o->bybox) {
            if (x && !arg_radius(x, argv + i + 1, argl + i + 1, &o->shape)) return -1;
            o->shape.box = 0;
            o->byradius = 1;
            i += 2;
        } else if (arg_is(a, n, "bybox") && left >= 3 && search && !o->byradius) {
            if (x && !arg_box(x, argv + i + 1, argl + i + 1, &o->shape)) return -1;
            o->shape.box = 1;
            o->bybox = 1;
            i += 3;
        } else {
            if (x) reply_syntax(x->out);
            return -1;
        }
    }
    return 0;
}

/* The checks after the options, in Redis's order; 0 ok, -1 after the error. */
static int geo_check(tx_ctx *x, const char **argv, const size_t *argl, int flags, const geo_opts *o) {
    if (o->store && (o->withdist || o->withhash || o->withcoord)) {
        resp_add_status_errorf(x->out, RD_ERR_GEO_STORE_WITH,
                               (flags & G_SEARCHSTORE) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS");
        return -1;
    }
    if ((flags & G_SEARCH) && !(o->frommember || o->fromloc)) {
        resp_add_status_error_words(x->out, RD_ERR_GEO_FROM, argv, argl);
        return -1;
    }
    if ((flags & G_SEARCH) && !(o->byradius || o->bybox)) {
        resp_add_status_error_words(x->out, RD_ERR_GEO_BY, argv, argl);
        return -1;
    }
    if (o->any && !o->count) {
        resp_add_status_error(x->out, RD_ERR_GEO_ANY);
        return -1;
    }
    return 0;
}

typedef struct geo_point {
    double lon, lat, dist, score;
    const char *m; /* the member, inside the source set (the view keeps it) */
    size_t n;
} geo_point;

typedef struct geo_found {
    const geo_shape *shape;
    geo_point *p;
    size_t used, cap;
    unsigned long long limit; /* ANY: stop at this many (0: all) */
    int failed;
} geo_found;

static int take_point(void *ctx, const char *m, size_t n, double score) {
    geo_found *f = ctx;
    double xy[2], dist = 0;
    if (gh_in_shape(f->shape, score, xy, &dist)) {
        if (f->used == f->cap) {
            size_t cap = f->cap ? f->cap * 2 : 8;
            geo_point *p = realloc(f->p, cap * sizeof *p);
            if (!p) {
                f->failed = 1;
                return 1;
            }
            f->p = p, f->cap = cap;
        }
        f->p[f->used++] = (geo_point){xy[0], xy[1], dist, score, m, n};
    }
    return f->used && f->limit && f->used >= f->limit;
}

/* membersOfAllNeighbors: the points of the nine cells that lie in the shape, cell by cell; a
 * cell equal to the last one scanned (huge radii) is skipped, as Redis skips it. */
static void geo_collect(const void *z, geo_found *f) {
    gh_bits c[9];
    int last = 0;
    gh_cover(f->shape, c);
    for (int i = 0; i < 9; i++) {
        double min, max;
        if (!c[i].bits && !c[i].step) continue;
        if (last && c[i].bits == c[last].bits && c[i].step == c[last].step) continue;
        if (f->failed || (f->used && f->limit && f->used >= f->limit)) break;
        gh_cell_scores(c[i], &min, &max);
        zset_each_in(z, min, max, take_point, f);
        last = i;
    }
}

static int by_dist_asc(const void *a, const void *b) {
    const geo_point *pa = a, *pb = b;
    return pa->dist > pb->dist ? 1 : pa->dist == pb->dist ? 0 : -1;
}

static int by_dist_desc(const void *a, const void *b) { return -by_dist_asc(a, b); }

/* ---- Redis's pqsort: Bentley & McIlroy's quicksort that only sorts the partitions holding
 * elements want_lo..want_hi.  The same steps as Redis's, so equal distances end in the same
 * order; partitions are disjoint, so an explicit stack (smaller side first, depth <= 64)
 * gives the same result as its recursion. */

static void gp_swap(geo_point *p, long i, long j) {
    geo_point t = p[i];
    p[i] = p[j];
    p[j] = t;
}

static void gp_vecswap(geo_point *p, long i, long j, long n) {
    for (long k = 0; k < n; k++) gp_swap(p, i + k, j + k);
}

typedef int (*gp_cmp)(const void *, const void *);

static long med3(const geo_point *p, long a, long b, long c, gp_cmp cmp) {
    return cmp(&p[a], &p[b]) < 0 ? (cmp(&p[b], &p[c]) < 0 ? b : (cmp(&p[a], &p[c]) < 0 ? c : a))
                                 : (cmp(&p[b], &p[c]) > 0 ? b : (cmp(&p[a], &p[c]) < 0 ? a : c));
}

/* One partition step of [lo, lo + n): the two unsorted sides go to *left and *right (start, length). */
static void partition(geo_point *p, long lo, long n, gp_cmp cmp, long left[2], long right[2]) {
    long pa, pb, pc, pd, pl, pm, pn, r;
    int c;
    pm = lo + n / 2;
    if (n > 7) {
        pl = lo;
        pn = lo + n - 1;
        if (n > 40) {
            long d = n / 8;
            pl = med3(p, pl, pl + d, pl + 2 * d, cmp);
            pm = med3(p, pm - d, pm, pm + d, cmp);
            pn = med3(p, pn - 2 * d, pn - d, pn, cmp);
        }
        pm = med3(p, pl, pm, pn, cmp);
    }
    gp_swap(p, lo, pm);
    pa = pb = lo + 1;
    pc = pd = lo + n - 1;
    for (;;) {
        while (pb <= pc && (c = cmp(&p[pb], &p[lo])) <= 0) {
            if (c == 0) gp_swap(p, pa++, pb);
            pb++;
        }
        while (pb <= pc && (c = cmp(&p[pc], &p[lo])) >= 0) {
            if (c == 0) gp_swap(p, pc, pd--);
            pc--;
        }
        if (pb > pc) break;
        gp_swap(p, pb++, pc--);
    }
    pn = lo + n;
    r = pa - lo < pb - pa ? pa - lo : pb - pa;
    gp_vecswap(p, lo, pb - r, r);
    r = pd - pc < pn - pd - 1 ? pd - pc : pn - pd - 1;
    gp_vecswap(p, pb, pn - r, r);
    left[0] = lo, left[1] = pb - pa;
    right[1] = pd - pc, right[0] = pn - right[1];
}

static void partial_sort(geo_point *p, long n, gp_cmp cmp, long want_lo, long want_hi) {
    long stack[64][2], top = 0, lo = 0;
    for (;;) {
        long left[2], right[2];
        if (n < 7) {
            for (long m = lo + 1; m < lo + n; m++)
                for (long l = m; l > lo && cmp(&p[l - 1], &p[l]) > 0; l--) gp_swap(p, l, l - 1);
        } else {
            partition(p, lo, n, cmp, left, right);
            /* a side of one element is in place; one outside the wanted range stays unsorted */
            int l_ok = left[1] > 1 && !(want_hi < left[0] || want_lo > left[0] + left[1] - 1);
            int r_ok = right[1] > 1 && !(want_hi < right[0] || want_lo > right[0] + right[1] - 1);
            if (l_ok && r_ok) {
                long *big = left[1] >= right[1] ? left : right, *small = big == left ? right : left;
                stack[top][0] = big[0], stack[top][1] = big[1], top++;
                lo = small[0], n = small[1];
                continue;
            }
            if (l_ok || r_ok) {
                lo = l_ok ? left[0] : right[0], n = l_ok ? left[1] : right[1];
                continue;
            }
        }
        if (!top) return;
        top--;
        lo = stack[top][0], n = stack[top][1];
    }
}

/* The reply: each member alone, or [member, dist?, hash?, [lon, lat]?]. */
static void reply_points(tx_ctx *x, const geo_opts *o, geo_point *p, long count) {
    int extra = o->withdist + o->withhash + o->withcoord;
    resp_add_array_len(x->out, count);
    for (long i = 0; i < count; i++) {
        if (extra) resp_add_array_len(x->out, extra + 1);
        resp_add_bulk(x->out, p[i].m, p[i].n);
        if (o->withdist) reply_distance(x, p[i].dist / o->shape.conversion);
        if (o->withhash) resp_add_int(x->out, (long long)p[i].score);
        if (o->withcoord) {
            resp_add_array_len(x->out, 2);
            reply_coord(x, p[i].lon);
            reply_coord(x, p[i].lat);
        }
    }
}

/* STORE / STOREDIST / GEOSEARCHSTORE: the result as a sorted set at view key 1 (scores the
 * geohashes, or the distances in the unit); an empty one deletes the key. */
static void store_points(tx_ctx *x, ks_view *v, const geo_opts *o, const geo_point *p, long count) {
    void *dst = zset_obj_new();
    size_t maxlen = 0;
    if (!dst) {
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    for (long i = 0; i < count; i++) {
        double score = o->storedist ? p[i].dist / o->shape.conversion : p[i].score;
        if (p[i].n > maxlen) maxlen = p[i].n;
        if (zset_obj_add(dst, score, p[i].m, p[i].n) != 0) {
            zset_obj_free(dst);
            resp_add_status_error(x->out, RD_ERR_NOMEM);
            return;
        }
    }
    zset_obj_store(x, v, 1, dst, (long long)maxlen, o->searchstore ? "geosearchstore" : "georadiusstore");
}

/* Everything after the options: the search, the order, the reply or the store. */
static void geo_search(tx_ctx *x, ks_view *v, const void *z, geo_opts *o) {
    geo_found f = {.shape = &o->shape, .limit = o->any ? (unsigned long long)o->count : 0};
    long total, count;
    if (!z) { /* no source: the destination goes, or an empty reply */
        void *empty = o->store ? zset_obj_new() : NULL;
        if (empty)
            zset_obj_store(x, v, 1, empty, 0, NULL); /* empty: deleted, a "del" event */
        else if (o->store)
            resp_add_status_error(x->out, RD_ERR_NOMEM);
        else
            resp_add_array_len(x->out, 0);
        return;
    }
    if (o->count && o->sort == SORT_NONE && !o->any) o->sort = SORT_ASC; /* COUNT means the nearest */
    gh_prepare(&o->shape);
    geo_collect(z, &f);
    if (f.failed) {
        free(f.p);
        resp_add_status_error(x->out, RD_ERR_NOMEM);
        return;
    }
    total = (long)f.used;
    count = o->count == 0 || total < o->count ? total : (long)o->count;
    if (o->sort != SORT_NONE && total) {
        gp_cmp cmp = o->sort == SORT_ASC ? by_dist_asc : by_dist_desc;
        if (count == total)
            qsort(f.p, (size_t)total, sizeof *f.p, cmp); /* libc's, as Redis's: the same order of ties */
        else
            partial_sort(f.p, total, cmp, 0, count - 1);
    }
    if (o->store)
        store_points(x, v, o, f.p, count);
    else
        reply_points(x, o, f.p, count);
    free(f.p);
}

/* georadiusGeneric: the source key at argv[src]; GEORADIUS / GEORADIUSBYMEMBER take the centre
 * and radius before their options, GEOSEARCH[STORE] all in options. */
static void georadius_generic(tx_ctx *x, int argc, const char **argv, const size_t *argl, int src, int flags) {
    geo_opts o = {.store = 0};
    int base = (flags & G_COORDS) ? 6 : (flags & G_MEMBER) ? 5 : (flags & G_SEARCHSTORE) ? 3 : 2;
    const char *keys[2];
    size_t klens[2];
    ks_view v;
    void *z;
    if (flags & G_SEARCHSTORE)
        o.store = 1;
    else
        geo_options(NULL, argc, argv, argl, base, flags, NULL, &o); /* where STORE's key is */
    keys[0] = argv[src], klens[0] = argl[src];
    keys[1] = o.store ? argv[o.store] : NULL, klens[1] = o.store ? argl[o.store] : 0;
    if (tx_open(x, &v, keys, klens, o.store ? 2 : 1) != 0) return;
    if (!tx_get(x, &v, 0, KS_TYPE_ZSET, 1, &z)) goto done;
    o = (geo_opts){.store = (flags & G_SEARCHSTORE) ? 1 : 0, .searchstore = (flags & G_SEARCHSTORE) != 0};
    if (flags & G_COORDS) {
        if (!arg_lonlat(x, argv + 2, argl + 2, o.shape.xy) || !arg_radius(x, argv + 4, argl + 4, &o.shape)) goto done;
    } else if ((flags & G_MEMBER) && z) {
        if (!member_xy(x, z, argv[2], argl[2], o.shape.xy) || !arg_radius(x, argv + 3, argl + 3, &o.shape)) goto done;
    }
    if (geo_options(x, argc, argv, argl, base, flags, z, &o) != 0) goto done;
    if (geo_check(x, argv, argl, flags, &o) != 0) goto done;
    geo_search(x, &v, z, &o);
done:
    ks_view_close(&v);
}

/* GEORADIUS key longitude latitude radius unit [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT n [ANY]]
 *           [ASC|DESC] [STORE key|STOREDIST key] */
void tx_georadius(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    georadius_generic(x, argc, argv, argl, 1, G_COORDS);
}
void tx_georadius_ro(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    georadius_generic(x, argc, argv, argl, 1, G_COORDS | G_NOSTORE);
}
/* GEORADIUSBYMEMBER key member radius unit [options as GEORADIUS] */
void tx_georadiusbymember(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    georadius_generic(x, argc, argv, argl, 1, G_MEMBER);
}
void tx_georadiusbymember_ro(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    georadius_generic(x, argc, argv, argl, 1, G_MEMBER | G_NOSTORE);
}
/* GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [ASC|DESC]
 *           [COUNT n [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH] */
void tx_geosearch(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    georadius_generic(x, argc, argv, argl, 1, G_SEARCH);
}
/* GEOSEARCHSTORE dst src (GEOSEARCH's options) [STOREDIST] */
void tx_geosearchstore(tx_ctx *x, int argc, const char **argv, const size_t *argl) {
    georadius_generic(x, argc, argv, argl, 2, G_SEARCH | G_SEARCHSTORE);
}
