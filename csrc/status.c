/* status.c: the one table of error texts C and Python share, keyed by status code.
 * C writes replies from it (resp_add_status_error); Python reads it through
 * rd_status_message (redistill/errors.py).  Every text was checked byte for byte
 * against redis-server 7.0.15.  tests/unit/test_error_table.py checks that every
 * error status has a text and that none of these texts is written anywhere else. */
#include "resp.h"

#include <string.h>

static const char *const messages[RD_STATUS_COUNT] = {
    [RD_ERR_WRONGTYPE] = "-WRONGTYPE Operation against a key holding the wrong kind of value",
    [RD_ERR_NOTINT] = "-ERR value is not an integer or out of range",
    [RD_ERR_OVERFLOW] = "-ERR increment or decrement would overflow",
    [RD_ERR_OOM] = "-OOM command not allowed when used memory > 'maxmemory'.",
    /* Redis aborts on allocation failure; we answer instead and keep serving. */
    [RD_ERR_NOMEM] = "-ERR out of memory",
    [RD_ERR_NOTFLOAT] = "-ERR value is not a valid float",
    [RD_ERR_NANINF] = "-ERR increment would produce NaN or Infinity",
    [RD_ERR_TOOBIG] = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)",

    [RD_ERR_SYNTAX] = "-ERR syntax error",
    [RD_ERR_ARITY] = "-ERR wrong number of arguments for '%s' command",
    [RD_ERR_INTERNAL] = "-ERR internal error",
    [RD_ERR_DEFERRED] = "-ERR clients blocked: Python runs this write",
    [RD_ERR_NOTPOSITIVE] = "-ERR value is out of range, must be positive",
    [RD_ERR_OUTOFRANGE] = "-ERR value is out of range",
    [RD_ERR_LONGRANGE] = "-ERR value is out of range, value must between %ld and %ld",
    [RD_ERR_NUMKEYS] = "-ERR numkeys should be greater than 0",
    [RD_ERR_NUMKEYS_ARGS] = "-ERR Number of keys can't be greater than number of args",
    [RD_ERR_NOINPUTKEY] = "-ERR at least 1 input key is needed for '%s%s' command",
    [RD_ERR_COUNT] = "-ERR count should be greater than 0",
    [RD_ERR_COUNT_NEGATIVE] = "-ERR COUNT can't be negative",
    [RD_ERR_MAXLEN_NEGATIVE] = "-ERR MAXLEN can't be negative",
    [RD_ERR_LIMIT_NEGATIVE] = "-ERR LIMIT can't be negative",
    [RD_ERR_RANK_ZERO] = "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second "
                         "... or use negative to start from the end of the list",
    [RD_ERR_NOSUCHKEY] = "-ERR no such key",
    [RD_ERR_INDEX] = "-ERR index out of range",
    [RD_ERR_CURSOR] = "-ERR invalid cursor",
    [RD_ERR_HASH_NOTINT] = "-ERR hash value is not an integer",
    [RD_ERR_HASH_NOTFLOAT] = "-ERR hash value is not a float",
    [RD_ERR_ISNANINF] = "-ERR value is NaN or Infinity",
    [RD_ERR_SORT_NOTDOUBLE] = "-ERR One or more scores can't be converted into double",
    [RD_ERR_ZADD_XX_NX] = "-ERR XX and NX options at the same time are not compatible",
    [RD_ERR_ZADD_GT_LT_NX] = "-ERR GT, LT, and/or NX options at the same time are not compatible",
    [RD_ERR_ZADD_INCR] = "-ERR INCR option supports a single increment-element pair",
    [RD_ERR_SCORE_NAN] = "-ERR resulting score is not a number (NaN)",
    [RD_ERR_MINMAX_FLOAT] = "-ERR min or max is not a float",
    [RD_ERR_MINMAX_LEX] = "-ERR min or max not valid string range item",
    [RD_ERR_LIMIT_BYSCORE] =
        "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
    [RD_ERR_WITHSCORES_BYLEX] = "-ERR syntax error, WITHSCORES not supported in combination with BYLEX",
    [RD_ERR_WEIGHT_FLOAT] = "-ERR weight value is not a float",
    [RD_ERR_EXPIRE] = "-ERR invalid expire time in '%s' command",
    [RD_ERR_DECR_OVERFLOW] = "-ERR decrement would overflow",
    [RD_ERR_STREAM_ID] = "-ERR Invalid stream ID specified as stream command argument",
    [RD_ERR_XADD_SMALLER] = "-ERR The ID specified in XADD is equal or smaller than the target stream top item",
    [RD_ERR_XADD_ZERO] = "-ERR The ID specified in XADD must be greater than 0-0",
    [RD_ERR_XADD_EXHAUSTED] = "-ERR The stream has exhausted the last possible ID, unable to add more items",
    [RD_ERR_TOOLARGE] = "-ERR Elements are too large to be stored",
    [RD_ERR_MAXLEN_MINID] = "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
    [RD_ERR_MAXLEN_GE0] = "-ERR The MAXLEN argument must be >= 0.",
    [RD_ERR_LIMIT_GE0] = "-ERR The LIMIT argument must be >= 0.",
    [RD_ERR_LIMIT_NO_STRATEGY] = "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy",
    [RD_ERR_XTRIM_STRATEGY] = "-ERR syntax error, XTRIM must be called with a trimming strategy",
    [RD_ERR_LIMIT_NO_APPROX] = "-ERR syntax error, LIMIT cannot be used without the special ~ option",
    [RD_ERR_START_ID] = "-ERR invalid start ID for the interval",
    [RD_ERR_END_ID] = "-ERR invalid end ID for the interval",
    [RD_ERR_ENTRIES_ADDED] = "-ERR entries_added must be positive",
    [RD_ERR_XSETID_MAXDEL] = "-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
    [RD_ERR_XSETID_SMALLER] = "-ERR The ID specified in XSETID is smaller than the target stream top item",
    [RD_ERR_XSETID_ADDED] = "-ERR The entries_added specified in XSETID is smaller than the target stream length",
    [RD_ERR_XREAD_UNBALANCED] = "-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
    [RD_ERR_XREAD_GROUP] = "-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
    [RD_ERR_XREAD_NOACK] = "-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
    [RD_ERR_XREADGROUP_MISSING] = "-ERR Missing GROUP option for XREADGROUP",
    [RD_ERR_NOGROUP_XREADGROUP] = "-NOGROUP No such key '%s' or consumer group '%s' in XREADGROUP with GROUP option",
    [RD_ERR_XREADGROUP_DOLLAR] = "-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
    [RD_ERR_XREAD_GT] = "-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
    [RD_ERR_ENTRIES_READ] = "-ERR value for ENTRIESREAD must be positive or -1",
    [RD_ERR_XGROUP_NOKEY] = "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
    [RD_ERR_NOGROUP_KEY] = "-NOGROUP No such consumer group '%s' for key name '%s'",
    [RD_ERR_BUSYGROUP] = "-BUSYGROUP Consumer Group name already exists",
    [RD_ERR_NOGROUP_XPENDING] = "-NOGROUP No such key '%s' or consumer group '%s'",
    [RD_ERR_XCLAIM_MINIDLE] = "-ERR Invalid min-idle-time argument for XCLAIM",
    [RD_ERR_XCLAIM_IDLE] = "-ERR Invalid IDLE option argument for XCLAIM",
    [RD_ERR_XCLAIM_TIME] = "-ERR Invalid TIME option argument for XCLAIM",
    [RD_ERR_XCLAIM_RETRY] = "-ERR Invalid RETRYCOUNT option argument for XCLAIM",
    [RD_ERR_XCLAIM_OPTION] = "-ERR Unrecognized XCLAIM option '%s'",
    [RD_ERR_XAUTOCLAIM_MINIDLE] = "-ERR Invalid min-idle-time argument for XAUTOCLAIM",
    [RD_ERR_XAUTOCLAIM_COUNT] = "-ERR COUNT must be > 0",
    [RD_ERR_XAUTOCLAIM_MEMORY] = "-ERR Insufficient memory, failed allocating transient memory, COUNT too high.",
    [RD_ERR_BLOCKED_NOGROUP] = "-NOGROUP the consumer group this client was blocked on no longer exists",
    [RD_ERR_BLOCKED_NOKEY] = "-UNBLOCKED the stream key no longer exists",
    [RD_ERR_EXPIRE_OPTION] = "-ERR Unsupported option %s",
    [RD_ERR_EXPIRE_NX] = "-ERR NX and XX, GT or LT options at the same time are not compatible",
    [RD_ERR_EXPIRE_GT_LT] = "-ERR GT and LT options at the same time are not compatible",
    /* Redis 7.4's hash-field TTL commands (no reference server here: its t_hash.c's texts). */
    [RD_ERR_HFE_NEGATIVE] = "-ERR invalid expire time, must be >= 0",
    [RD_ERR_HFE_FIELDS] = "-ERR Mandatory argument FIELDS is missing or not at the right position",
    [RD_ERR_HFE_NUMFIELDS] = "-ERR Parameter `numFields` should be greater than 0",
    [RD_ERR_HFE_NUMFIELDS_POSITIVE] = "-ERR Number of fields must be a positive integer",
    [RD_ERR_HFE_NUMFIELDS_ARGS] = "-ERR The `numfields` parameter must match the number of arguments",
    [RD_ERR_DB_INDEX] = "-ERR DB index is out of range",
    [RD_ERR_SAME_OBJECT] = "-ERR source and destination objects are the same",
    [RD_ERR_LFU_OFF] = "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
                       "that when switching between policies at runtime LRU and LFU data will take some time "
                       "to adjust.",
    [RD_ERR_LFU_ON] = "-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
                      "switching between policies at runtime LRU and LFU data will take some time to adjust.",
    [RD_ERR_SUBCOMMAND] = "-ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
    [RD_ERR_OFFSET_RANGE] = "-ERR offset is out of range",
    [RD_ERR_LCS_NOT_STRINGS] = "-ERR The specified keys must contain string values",
    [RD_ERR_LCS_IDX_AND_LEN] = "-ERR If you want both the length and indexes, please just use IDX.",
    [RD_ERR_LCS_TOO_LONG] = "-ERR String too long for LCS",
    [RD_ERR_LCS_MAXMEM] = "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
    [RD_ERR_LCS_NOMEM] = "-ERR Insufficient memory, failed allocating transient memory for LCS",
    [RD_ERR_BIT_OFFSET] = "-ERR bit offset is not an integer or out of range",
    [RD_ERR_BIT_VALUE] = "-ERR bit is not an integer or out of range",
    [RD_ERR_BITPOS_BIT] = "-ERR The bit argument must be 1 or 0.",
    [RD_ERR_BITOP_NOT] = "-ERR BITOP NOT must be called with a single source key.",
    [RD_ERR_BITFIELD_TYPE] =
        "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
    [RD_ERR_BITFIELD_OVERFLOW] = "-ERR Invalid OVERFLOW type specified",
    [RD_ERR_BITFIELD_RO] = "-ERR BITFIELD_RO only supports the GET subcommand",
    [RD_ERR_GEO_LONLAT] = "-ERR invalid longitude,latitude pair %f,%f",
    [RD_ERR_GEO_UNIT] = "-ERR unsupported unit provided. please use M, KM, FT, MI",
    [RD_ERR_GEO_RADIUS] = "-ERR need numeric radius",
    [RD_ERR_GEO_WIDTH] = "-ERR need numeric width",
    [RD_ERR_GEO_HEIGHT] = "-ERR need numeric height",
    [RD_ERR_GEO_RADIUS_NEG] = "-ERR radius cannot be negative",
    [RD_ERR_GEO_BOX_NEG] = "-ERR height or width cannot be negative",
    [RD_ERR_GEO_MEMBER] = "-ERR could not decode requested zset member",
    [RD_ERR_GEO_STORE_WITH] = "-ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
    [RD_ERR_GEO_FROM] = "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s",
    [RD_ERR_GEO_BY] = "-ERR exactly one of BYRADIUS and BYBOX can be specified for %s",
    [RD_ERR_GEO_ANY] = "-ERR the ANY argument requires COUNT argument",
    [RD_ERR_NOSCRIPT] = "-NOSCRIPT No matching script. Please use EVAL.",
    [RD_ERR_NUMKEYS_NEGATIVE] = "-ERR Number of keys can't be negative",
    [RD_ERR_SCRIPT_RO] = "-ERR Can not execute a script with write flag using *_ro command.",
    [RD_ERR_NOTBUSY] = "-NOTBUSY No scripts in execution right now.",
    [RD_ERR_UNKILLABLE] = "-UNKILLABLE Sorry the script already executed write commands against the dataset. "
                          "You can either wait the script termination or kill the server in a hard way using "
                          "the SHUTDOWN NOSAVE command.",
    [RD_ERR_SHEBANG] = "-ERR Invalid script shebang",
    [RD_ERR_SHEBANG_ENGINE] = "-ERR Unexpected engine in script shebang: %s",
    [RD_ERR_SHEBANG_FLAG] = "-ERR Unexpected flag in script shebang: %s",
    [RD_ERR_SHEBANG_OPTION] = "-ERR Unknown lua shebang option: %s",
    [RD_ERR_SCRIPT_COMPILE] = "-ERR Error compiling script (new function): %s",
    [RD_ERR_SCRIPT_RUN] = "-ERR Error running script %s, %s",
    [RD_ERR_BUSY] = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
    [RD_ERR_BUSYKEY] = "-BUSYKEY Target key name already exists.",
    [RD_ERR_RESTORE_TTL] = "-ERR Invalid TTL value, must be >= 0",
    [RD_ERR_RESTORE_IDLETIME] = "-ERR Invalid IDLETIME value, must be >= 0",
    [RD_ERR_RESTORE_FREQ] = "-ERR Invalid FREQ value, must be >= 0 and <= 255",
    [RD_ERR_DUMP_PAYLOAD] = "-ERR DUMP payload version or checksum are wrong",
    [RD_ERR_BAD_DATA] = "-ERR Bad data format",
    [RD_ERR_HLL_INVALID] = "-INVALIDOBJ Corrupted HLL object detected",
    [RD_ERR_HLL_WRONGTYPE] = "-WRONGTYPE Key is not a valid HyperLogLog string value.",
    [RD_ERR_PFDEBUG_NOKEY] = "-ERR The specified key does not exist",
    [RD_ERR_PFDEBUG_NOT_SPARSE] = "-ERR HLL encoding is not sparse",
    [RD_ERR_PFDEBUG_SUBCOMMAND] = "-ERR Unknown PFDEBUG subcommand '%s'",
    [RD_ERR_PFSELFTEST_REGISTER] = "-ERR TESTFAILED Register %ld should be %ld but is %ld",
    [RD_ERR_PFSELFTEST_SPARSE] = "-ERR TESTFAILED sparse encoding not used",
    [RD_ERR_PFSELFTEST_DISAGREE] = "-ERR TESTFAILED dense/sparse disagree",
    [RD_ERR_PFSELFTEST_ERROR] = "-ERR TESTFAILED Too big error. card:%ld abserr:%ld",
    [RD_ERR_BUSY_FUNCTION] = "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
    [RD_ERR_FN_NOT_FOUND] = "-ERR Function not found",
    [RD_ERR_FN_NUMKEYS] = "-ERR Bad number of keys provided",
    [RD_ERR_FN_LIB_NOT_FOUND] = "-ERR Library not found",
    [RD_ERR_FN_NO_METADATA] = "-ERR Missing library metadata",
    [RD_ERR_FN_BAD_METADATA] = "-ERR Invalid library metadata",
    [RD_ERR_FN_NAME_TWICE] = "-ERR Invalid metadata value, name argument was given multiple times",
    [RD_ERR_FN_METADATA_VALUE] = "-ERR Invalid metadata value given: %s",
    [RD_ERR_FN_NO_NAME] = "-ERR Library name was not given",
    [RD_ERR_FN_BAD_NAME] = "-ERR Library names can only contain letters, numbers, or underscores(_) and must be "
                           "at least one character long",
    [RD_ERR_FN_ENGINE] = "-ERR Engine '%s' not found",
    [RD_ERR_FN_LIB_EXISTS] = "-ERR Library '%s' already exists",
    [RD_ERR_FN_COMPILE] = "-ERR Error compiling function: %s",
    [RD_ERR_FN_REGISTER] = "-ERR Error registering functions: %s",
    [RD_ERR_FN_NONE] = "-ERR No functions registered",
    [RD_ERR_FN_EXISTS] = "-ERR Function %s already exists",
    [RD_ERR_FN_RESTORE_LIB_EXISTS] = "-ERR Library %s already exists",
    [RD_ERR_FN_NOT_FUNCTION] = "-ERR given type is not a function",
    [RD_ERR_FN_LOAD_PAYLOAD] = "-ERR Failed loading library payload",

    [RD_ERR_PROTO_MBULK_BIG] = "-ERR Protocol error: too big mbulk count string",
    [RD_ERR_PROTO_MBULK_LEN] = "-ERR Protocol error: invalid multibulk length",
    [RD_ERR_PROTO_MBULK_UNAUTH] = "-ERR Protocol error: unauthenticated multibulk length",
    [RD_ERR_PROTO_BULK_BIG] = "-ERR Protocol error: too big bulk count string",
    [RD_ERR_PROTO_EXPECTED] = "-ERR Protocol error: expected '$', got '%c'",
    [RD_ERR_PROTO_BULK_LEN] = "-ERR Protocol error: invalid bulk length",
    [RD_ERR_PROTO_BULK_UNAUTH] = "-ERR Protocol error: unauthenticated bulk length",
    [RD_ERR_PROTO_QUOTES] = "-ERR Protocol error: unbalanced quotes in request",
    [RD_ERR_PROTO_INLINE_BIG] = "-ERR Protocol error: too big inline request",
};

const char *rd_status_message(rd_status st) {
    if ((unsigned)st >= RD_STATUS_COUNT || !messages[st]) return "";
    return messages[st];
}

int status_of_code(const char *line, size_t len) {
    size_t n = 0;
    while (n < len && line[n] != ' ' && line[n] != '\r') n++;
    for (int st = 0; st < RD_STATUS_COUNT; st++) {
        const char *m = messages[st];
        if (m && strncmp(m, line, n) == 0 && m[n] == ' ') return st;
    }
    return -1;
}

int status_of_error(const char *line, size_t len) {
    for (int st = 0; st < RD_STATUS_COUNT; st++) {
        const char *m = messages[st];
        size_t n = m ? strlen(m) : 0;
        if (n && n <= len && memcmp(line, m, n) == 0) return st;
    }
    return -1;
}
