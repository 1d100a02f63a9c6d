/*
 * Every scenario key in one place (docs/design.md section 3): one table per
 * key group (top, host, host.sharing, ..., vm, guest, workload, phase,
 * trace, event, sla) whose rows hold the key's name, type, unit, default,
 * range and one-line description. The loader takes defaults and ranges from
 * the rows and its "did you mean" hints from their names; `reclaimsim keys`
 * prints them, and the tests check scenarios/scenario.schema.json, the man
 * page and docs/model.md ("Scenario keys") against that output.
 */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

typedef enum {
    SIM_KEY_SIZE,      /* "4GiB" or an integer of MiB */
    SIM_KEY_DURATION,  /* "90s" */
    SIM_KEY_RATE,      /* "20000/s" or a number per second */
    SIM_KEY_BYTE_RATE, /* "200MiB/s" */
    SIM_KEY_PERCENT,   /* "65%" or a number of percent; min and max are fractions */
    SIM_KEY_NUMBER,    /* a JSON number */
    SIM_KEY_INT,       /* a JSON integer */
    SIM_KEY_BOOL,
    SIM_KEY_STRING,
    SIM_KEY_ENUM,   /* one of `words` */
    SIM_KEY_OBJECT, /* members in `members` */
    SIM_KEY_ARRAY,  /* of objects with `members` */
    SIM_KEY_MAP,    /* name -> object with `members` */
    SIM_KEY_TYPE_MAX
} SimKeyType;

const char *sim_key_type_to_string(SimKeyType type);

/* Flags of a row. */
#define SIM_KEY_REQUIRED 1u  /* the loader refuses a scenario without it */
#define SIM_KEY_NONZERO 2u   /* a size, duration or byte rate must be > 0 */
#define SIM_KEY_PERIOD 4u    /* a period: SIM_SCENARIO_MIN_PERIOD..SIM_SCENARIO_MAX_TIME */
#define SIM_KEY_NULLABLE 8u  /* null is a value ("off", "none") */
#define SIM_KEY_OPEN_MIN 16u /* a number must be > min, not >= */
#define SIM_KEY_OR_NAME 32u  /* an object that may also be given as a file name (trace) */
/* host.policy: a name, or an object with that name and the named policy's
 * settings (PolicyClass.params) besides the rows in `members`; its loader
 * checks them (sim/load/policyparams.c) and `keys` lists each built-in's. */
#define SIM_KEY_POLICY 64u

/* host.policy when the scenario does not give it */
#define SIM_POLICY_DEFAULT "esxi"

/* No upper bound for a NUMBER or INT row. */
#define SIM_KEY_UNBOUNDED G_MAXDOUBLE
/* The largest integer a scenario holds (JSON integers are int64): INT64_MAX for an INT row. */
#define SIM_KEY_INT64_MAX 0x1p63

typedef struct SimKey {
    const char *name;
    SimKeyType type;
    unsigned flags; /* SIM_KEY_* */
    /* The default as a user writes it in a scenario ("4GiB", "1s", "65%",
     * "16384", "true", "null", "[]"), read by the loader's own parsers;
     * NULL = none: required, or computed by the loader (the description says how). */
    const char *def;
    double min, max;          /* NUMBER, INT, PERCENT (fractions); max SIM_KEY_UNBOUNDED: none */
    const char *unit;         /* what the number counts ("pages per poll"), or NULL */
    const char *const *words; /* ENUM: its values; others: words taken besides a value
                                 ("auto", "unlimited"); NULL-terminated, or NULL */
    const struct SimKey *members; /* OBJECT, ARRAY, MAP: NULL-name terminated */
    const char *doc;              /* one line, as in scenario.schema.json */
} SimKey;

/* The members of a scenario's top-level object (NULL-name terminated). */
const SimKey *sim_keys_top(void);

/* The row named `name` among `members`, or NULL. O(members): at most 20. */
const SimKey *sim_key_find(const SimKey *members, const char *name);

/* Number of values of an ENUM row (or words of another row). */
guint sim_key_n_words(const SimKey *key);

/*
 * The default as the JSON value a scenario would hold ("4GiB" a string,
 * 16384 an integer, true, null, []), a new reference; NULL when the row has
 * none.
 */
json_t *sim_key_default_json(const SimKey *key);

/* The range as text: "> 0", "1..100000", "1ms..36500d", "0%..99%", "linux|windows". */
char *sim_key_range(const SimKey *key);

/*
 * Every key with its path ("host.sharing.salting", "vms[].memory",
 * "templates.*.memory"), type, unit, default, range and description: an
 * aligned list, or with `json` an array of objects for tools (the tests
 * compare it with the schema, the man page and docs/model.md).
 */
char *sim_keys_describe(bool json);
