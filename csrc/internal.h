/* internal.h: every private header of csrc/ at once; cffi never sees these headers.  A .c file
 * includes only the part headers it uses; this umbrella serves keyspace.h (and so keyspace.c and
 * evict.c) and perf/keyspace_bench.c, which use most of them.
 *
 * Naming: ks_* keyspace internals (take the stripe locks themselves, with an
 * explicit `now` from the caller's batch clock), do_* assume the stripe lock is held,
 * resp_* framing and reply encoding, cmd_* the string, key and connection commands and tx_*
 * the type commands (both write their whole reply, errors included), buf_* byte buffers.
 *
 * The parts: buf.h (byte buffers), strconv.h (Redis-exact numbers), hash.h (SipHash),
 * ksapi.h (keyspace calls, ks_view), clock.h (the clocks), gate.h (the gate), watch.h (WATCH),
 * slowlog.h (the fast path's SLOWLOG), resp.h (RESP framing and replies), fastpath.h (fast
 * dispatch, cluster ownership), dict.h (hash/set dictionary), types.h (data types, the handler
 * contract and the generated command lists).
 *
 * The files call each other in layers, never in a circle (tools/csrc_layers.py prints them;
 * tests/unit/test_csrc_layers.py fails on a cycle): a lower part that must reach a higher one
 * gets a hook set up once (the gate's after_release, the keyspace's ks_table_ops for evict.c,
 * the type registry cmdtable.c fills at load).
 */
#ifndef REDISTILL_INTERNAL_H
#define REDISTILL_INTERNAL_H

#include "platform.h"

#include "buf.h"
#include "clock.h"
#include "dict.h"
#include "fastpath.h"
#include "gate.h"
#include "hash.h"
#include "ksapi.h"
#include "redistill.h"
#include "resp.h"
#include "slowlog.h"
#include "strconv.h"
#include "types.h"
#include "watch.h"

#endif
