/* geohash.c: Redis 7.0's geohash arithmetic (see geohash.h), in the same operation order. */
#include "geohash.h"

#include <math.h>

static const double EARTH_RADIUS = 6372797.560856; /* meters, as Redis */
static const double MERCATOR_MAX = 20037726.37;

static const gh_range WGS84_LON = {GEO_LONG_MIN, GEO_LONG_MAX};
static const gh_range WGS84_LAT = {GEO_LAT_MIN, GEO_LAT_MAX};

static double deg_rad(double d) { return d * (M_PI / 180.0); }
static double rad_deg(double r) { return r / (M_PI / 180.0); }

/* The 32 bits of v on the even bit positions of the result. */
static uint64_t spread(uint32_t v) {
    uint64_t x = v;
    x = (x | x << 16) & 0x0000FFFF0000FFFFULL;
    x = (x | x << 8) & 0x00FF00FF00FF00FFULL;
    x = (x | x << 4) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | x << 2) & 0x3333333333333333ULL;
    x = (x | x << 1) & 0x5555555555555555ULL;
    return x;
}

/* The inverse: the even bits of x packed into 32. */
static uint32_t squash(uint64_t x) {
    x &= 0x5555555555555555ULL;
    x = (x | x >> 1) & 0x3333333333333333ULL;
    x = (x | x >> 2) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | x >> 4) & 0x00FF00FF00FF00FFULL;
    x = (x | x >> 8) & 0x0000FFFF0000FFFFULL;
    x = (x | x >> 16) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

int gh_encode(const gh_range *lon_r, const gh_range *lat_r, double lon, double lat, int step, gh_bits *out) {
    double lat_off, lon_off;
    if (step > 32 || step == 0) return 0;
    if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return 0;
    out->bits = 0;
    out->step = (uint8_t)step;
    if (lat < lat_r->min || lat > lat_r->max || lon < lon_r->min || lon > lon_r->max) return 0;
    lat_off = (lat - lat_r->min) / (lat_r->max - lat_r->min);
    lon_off = (lon - lon_r->min) / (lon_r->max - lon_r->min);
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    out->bits = spread((uint32_t)lat_off) | spread((uint32_t)lon_off) << 1;
    return 1;
}

static uint64_t align52(gh_bits h) { return h.bits << (52 - h.step * 2); }

uint64_t gh_score(double lon, double lat) {
    gh_bits h;
    gh_encode(&WGS84_LON, &WGS84_LAT, lon, lat, GEO_STEP_MAX, &h);
    return align52(h);
}

typedef struct gh_area {
    gh_range lon, lat;
} gh_area;

/* A cell's bounds over the WGS84 ranges (geohashDecode). */
static void decode_area(gh_bits h, gh_area *a) {
    double lat_scale = WGS84_LAT.max - WGS84_LAT.min, lon_scale = WGS84_LON.max - WGS84_LON.min;
    uint32_t ilat = squash(h.bits), ilon = squash(h.bits >> 1);
    double cells = (double)(1ULL << h.step);
    a->lat.min = WGS84_LAT.min + (ilat * 1.0 / cells) * lat_scale;
    a->lat.max = WGS84_LAT.min + ((ilat + 1) * 1.0 / cells) * lat_scale;
    a->lon.min = WGS84_LON.min + (ilon * 1.0 / cells) * lon_scale;
    a->lon.max = WGS84_LON.min + ((ilon + 1) * 1.0 / cells) * lon_scale;
}

void gh_decode_score(double score, double xy[2]) {
    gh_bits h = {(uint64_t)score, GEO_STEP_MAX};
    gh_area a;
    decode_area(h, &a);
    xy[0] = (a.lon.min + a.lon.max) / 2;
    if (xy[0] > GEO_LONG_MAX) xy[0] = GEO_LONG_MAX;
    if (xy[0] < GEO_LONG_MIN) xy[0] = GEO_LONG_MIN;
    xy[1] = (a.lat.min + a.lat.max) / 2;
    if (xy[1] > GEO_LAT_MAX) xy[1] = GEO_LAT_MAX;
    if (xy[1] < GEO_LAT_MIN) xy[1] = GEO_LAT_MIN;
}

/* Along a meridian the haversine reduces to the latitude difference (geohashGetLatDistance). */
static double lat_distance(double lat1, double lat2) { return EARTH_RADIUS * fabs(deg_rad(lat2) - deg_rad(lat1)); }

double gh_distance(double lon1, double lat1, double lon2, double lat2) {
    double lat1r, lat2r, u, v, a;
    v = sin((deg_rad(lon2) - deg_rad(lon1)) / 2);
    if (v == 0.0) return lat_distance(lat1, lat2);
    lat1r = deg_rad(lat1);
    lat2r = deg_rad(lat2);
    u = sin((lat2r - lat1r) / 2);
    a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * EARTH_RADIUS * asin(sqrt(a));
}

void gh_prepare(geo_shape *s) {
    s->lon_r = deg_rad(s->xy[0]);
    s->lat_r = deg_rad(s->xy[1]);
    s->cos_lat = cos(s->lat_r);
}

/* gh_distance(centre, point), with the centre's terms computed once: the same operations on the
 * same values, so the same result. */
static double distance_from(const geo_shape *s, double lon, double lat) {
    double lat_r, u, v, a;
    v = sin((deg_rad(lon) - s->lon_r) / 2);
    if (v == 0.0) return lat_distance(s->xy[1], lat);
    lat_r = deg_rad(lat);
    u = sin((lat_r - s->lat_r) / 2);
    a = u * u + s->cos_lat * cos(lat_r) * v * v;
    return 2.0 * EARTH_RADIUS * asin(sqrt(a));
}

/* Surely farther than `limit` from the centre, found without the haversine: no great circle is
 * shorter than the latitude difference (with a margin far above rounding).  Only within 90
 * degrees of longitude, where the haversine cannot come out NaN near the antipode (Redis keeps
 * a point whose distance is NaN). */
static int surely_beyond(const geo_shape *s, const double xy[2], double limit) {
    double dlon = fabs(xy[0] - s->xy[0]);
    return (dlon < 90 || dlon > 270) && EARTH_RADIUS * fabs(deg_rad(xy[1]) - s->lat_r) > limit * (1 + 1e-9) + 1e-6;
}

int gh_in_shape(const geo_shape *s, double score, double xy[2], double *dist) {
    gh_decode_score(score, xy);
    if (!s->box) {
        double limit = s->radius * s->conversion;
        if (surely_beyond(s, xy, limit)) return 0;
        *dist = distance_from(s, xy[0], xy[1]);
        return !(*dist > limit); /* a NaN distance is in, as Redis's test lets it through */
    }
    /* the box: within half its height north-south, half its width east-west at the point's latitude */
    if (lat_distance(xy[1], s->xy[1]) > s->height * s->conversion / 2) return 0;
    if (gh_distance(xy[0], xy[1], s->xy[0], xy[1]) > s->width * s->conversion / 2) return 0;
    *dist = distance_from(s, xy[0], xy[1]);
    return 1;
}

/* Bits a coordinate for cells about the size of the search (geohashEstimateStepsByRadius). */
static int steps_for(double meters, double lat) {
    int step = 1;
    if (meters == 0) return 26;
    while (meters < MERCATOR_MAX) {
        meters *= 2;
        step++;
    }
    step -= 2;
    if (lat > 66 || lat < -66) { /* meridians converge: wider cells towards the poles */
        step--;
        if (lat > 80 || lat < -80) step--;
    }
    if (step < 1) step = 1;
    if (step > 26) step = 26;
    return step;
}

/* The shape's bounding box: min lon, min lat, max lon, max lat (geohashBoundingBox). */
static void bounding_box(const geo_shape *s, double b[4]) {
    double lon = s->xy[0], lat = s->xy[1];
    double height = s->conversion * (s->box ? s->height / 2 : s->radius);
    double width = s->conversion * (s->box ? s->width / 2 : s->radius);
    double lat_delta = rad_deg(height / EARTH_RADIUS);
    double lon_top = rad_deg(width / EARTH_RADIUS / cos(deg_rad(lat + lat_delta)));
    double lon_bottom = rad_deg(width / EARTH_RADIUS / cos(deg_rad(lat - lat_delta)));
    int south = lat < 0; /* the wider edge is the one nearer the equator */
    b[0] = south ? lon - lon_bottom : lon - lon_top;
    b[2] = south ? lon + lon_bottom : lon + lon_top;
    b[1] = lat - lat_delta;
    b[3] = lat + lat_delta;
}

/* One cell over: dx along longitude (odd bits), dy along latitude (even bits), wrapping. */
static gh_bits move(gh_bits h, int dx, int dy) {
    uint64_t lon = h.bits & 0xAAAAAAAAAAAAAAAAULL, lat = h.bits & 0x5555555555555555ULL;
    unsigned shift = 64 - h.step * 2;
    uint64_t lat_fill = 0xAAAAAAAAAAAAAAAAULL >> shift, lon_fill = 0x5555555555555555ULL >> shift;
    /* the other coordinate's bits filled with ones carry an add or borrow across them */
    if (dx > 0) lon = lon + (lon_fill + 1);
    if (dx < 0) lon = (lon | lon_fill) - (lon_fill + 1);
    if (dx) lon &= 0xAAAAAAAAAAAAAAAAULL >> shift;
    if (dy > 0) lat = lat + (lat_fill + 1);
    if (dy < 0) lat = (lat | lat_fill) - (lat_fill + 1);
    if (dy) lat &= 0x5555555555555555ULL >> shift;
    h.bits = lon | lat;
    return h;
}

enum { C_SELF, C_N, C_S, C_E, C_W, C_NE, C_NW, C_SE, C_SW };

static void cells_at(double lon, double lat, int steps, gh_bits c[9], gh_area *area) {
    static const int dx[9] = {0, 0, 0, 1, -1, 1, -1, 1, -1}, dy[9] = {0, 1, -1, 0, 0, 1, 1, -1, -1};
    gh_encode(&WGS84_LON, &WGS84_LAT, lon, lat, steps, &c[C_SELF]);
    for (int i = 1; i < 9; i++) c[i] = move(c[C_SELF], dx[i], dy[i]);
    decode_area(c[C_SELF], area);
}

static void zero(gh_bits c[9], int a, int b, int d) {
    c[a] = c[b] = c[d] = (gh_bits){0, 0};
}

void gh_cover(const geo_shape *s, gh_bits c[9]) {
    double b[4], meters;
    gh_area area, n, so, e, w;
    int steps;
    bounding_box(s, b);
    meters = s->box ? sqrt((s->width / 2) * (s->width / 2) + (s->height / 2) * (s->height / 2)) : s->radius;
    meters *= s->conversion;
    steps = steps_for(meters, s->xy[1]);
    cells_at(s->xy[0], s->xy[1], steps, c, &area);
    /* cells too big near the search's edge leave part of it uncovered: one step coarser */
    decode_area(c[C_N], &n);
    decode_area(c[C_S], &so);
    decode_area(c[C_E], &e);
    decode_area(c[C_W], &w);
    if (steps > 1 && (n.lat.max < b[3] || so.lat.min > b[1] || e.lon.max < b[2] || w.lon.min > b[0]))
        cells_at(s->xy[0], s->xy[1], --steps, c, &area);
    if (steps >= 2) { /* drop the neighbours the search cannot reach */
        if (area.lat.min < b[1]) zero(c, C_S, C_SW, C_SE);
        if (area.lat.max > b[3]) zero(c, C_N, C_NE, C_NW);
        if (area.lon.min < b[0]) zero(c, C_W, C_SW, C_NW);
        if (area.lon.max > b[2]) zero(c, C_E, C_SE, C_NE);
    }
}

void gh_cell_scores(gh_bits cell, double *min, double *max) {
    *min = (double)align52(cell);
    cell.bits++;
    *max = (double)align52(cell);
}
