/* seed_check.c: the SipHash key of a keyspace is random per keyspace when asked for seed 0 (what a server
 * process gets unless it passes its own random seed), and a fixed seed gives a fixed key.  Includes
 * keyspace.c to read the key, which the public API never exposes.  Prints "ok" or what failed. */
#include "keyspace.c"

#include <stdio.h>

int main(void) {
    rd_keyspace *a = rd_keyspace_new(0), *b = rd_keyspace_new(0);
    rd_keyspace *c = rd_keyspace_new(42), *d = rd_keyspace_new(42), *e = rd_keyspace_new(43);
    if (!a || !b || !c || !d || !e) return 2;
    int bad = 0;
    if (a->k0 == b->k0 && a->k1 == b->k1) { puts("two random seeds gave the same key"); bad = 1; }
    if (c->k0 != d->k0 || c->k1 != d->k1) { puts("the same seed gave different keys"); bad = 1; }
    if (c->k0 == e->k0 && c->k1 == e->k1) { puts("different seeds gave the same key"); bad = 1; }
    if (key_hash(a, "k", 1) == key_hash(b, "k", 1) && key_hash(a, "j", 1) == key_hash(b, "j", 1)) {
        puts("hashes do not depend on the seed");
        bad = 1;
    }
    rd_keyspace_free(a); rd_keyspace_free(b); rd_keyspace_free(c); rd_keyspace_free(d); rd_keyspace_free(e);
    if (!bad) puts("ok");
    return bad;
}
