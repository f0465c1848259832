/* platform.h: the feature macros csrc/ needs, defined before any system header (every part
 * header includes this first, so a bare gcc of the .c files builds without -D_GNU_SOURCE). */
#ifndef REDISTILL_PLATFORM_H
#define REDISTILL_PLATFORM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* malloc_usable_size, getrandom, MSG_NOSIGNAL, rwlock writer preference */
#endif

#endif
