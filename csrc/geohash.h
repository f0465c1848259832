/* geohash.h: Redis 7.0's geohash math for the GEO commands (geohash.c): 52-bit interleaved cell
 * numbers (a sorted-set score), the nine cells covering a search shape, and its distances.  Every
 * operation is the same floating-point sequence as Redis's, so scores, positions and distances
 * match it bit for bit. */
#ifndef REDISTILL_GEOHASH_H
#define REDISTILL_GEOHASH_H

#include "platform.h"

#include <stdint.h>

#define GEO_STEP_MAX 26 /* 26 bits a coordinate: 52-bit scores, exact in a double */
#define GEO_LAT_MIN -85.05112878
#define GEO_LAT_MAX 85.05112878
#define GEO_LONG_MIN -180.0
#define GEO_LONG_MAX 180.0

typedef struct gh_bits {
    uint64_t bits; /* latitude bits even, longitude bits odd */
    uint8_t step;  /* bits a coordinate; 0 with bits 0: no cell */
} gh_bits;

typedef struct gh_range {
    double min, max;
} gh_range;

/* The search area: a circle (radius) or an axis-aligned box (width, height), in units of
 * `conversion` meters, around xy (longitude, latitude). */
typedef struct geo_shape {
    int box;
    double xy[2];
    double conversion;
    double radius, width, height;
    double lon_r, lat_r, cos_lat; /* the centre's, set by gh_prepare */
} geo_shape;

/* A position's cell over the given ranges at `step` bits (geohashEncode): 1, or 0 out of range. */
int gh_encode(const gh_range *lon_r, const gh_range *lat_r, double lon, double lat, int step, gh_bits *out);
/* A sorted-set score for a position already checked against the limits (GEOADD). */
uint64_t gh_score(double lon, double lat);
/* A score's cell centre, clamped to the limits (decodeGeohash). */
void gh_decode_score(double score, double xy[2]);
/* The haversine distance in meters (geohashGetDistance). */
double gh_distance(double lon1, double lat1, double lon2, double lat2);
/* What every point's test reuses of the centre (the same values Redis computes per point). */
void gh_prepare(geo_shape *s);
/* geoWithinShape (s prepared): 1 with the position and its distance (meters) from the shape's
 * centre when the score's cell centre lies in the shape. */
int gh_in_shape(const geo_shape *s, double score, double xy[2], double *dist);
/* The cells to scan for a shape (geohashCalculateAreasByShapeWGS84): centre, N, S, E, W, NE, NW,
 * SE, SW; a cell not worth scanning is {0, 0}. */
void gh_cover(const geo_shape *s, gh_bits cells[9]);
/* The score range [*min, *max) of the points inside a cell. */
void gh_cell_scores(gh_bits cell, double *min, double *max);

#endif
