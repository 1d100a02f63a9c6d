/*
 * The search of `reclaimsim capacity` (docs/capacity.md): the boundary of
 * a pass/fail verdict over whole values in [lo, hi], on one side of which
 * the SLA is met. For a VM count the smaller counts pass and the answer is
 * the largest passing count; for host memory the larger hosts pass and the
 * answer is the smallest passing host.
 *
 * It runs nothing itself: it says which values to probe next (a round), is
 * told their verdicts, and says the next round, until the answer is
 * bracketed by two probes next to each other: N passes, N + 1 fails (for
 * memory, N passes and N - 1 fails). Each round has up to `width` values,
 * so a caller can run a round's probes (and those of other searches, the
 * other seeds) at once. The rounds follow from the verdicts alone, so the
 * same verdicts give the same probes in the same order: a rerun finds the
 * same probes, whatever ran them and in which order.
 *
 * Outward first: from `start` (the scenario's own value) while no probe
 * failed, toward the failing side by doubling (a count 8, 16, 32, ...);
 * while none passed, toward the passing side by halving the distance to
 * `lo` (or doubling up to `hi`, for memory). Then sectioning: `width`
 * values evenly inside the bracket (bisection for a width of 1). A verdict
 * that contradicts another (a count passing above a failing one: noise) is
 * recorded: the answer is then the safe end of a range.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Largest width: more probes per round than this are cores a section of a
 * bracket cannot use (a bracket of 100000 values is cut in 3 rounds). */
#define SIM_CAP_WIDTH_MAX 64

typedef enum {
    SIM_CAP_LARGEST,  /* smaller values pass: the largest passing value (a VM count) */
    SIM_CAP_SMALLEST, /* larger values pass: the smallest passing value (host memory) */
} SimCapGoal;

typedef struct SimCapSearch SimCapSearch;

/* lo <= start <= hi, 1 <= width <= SIM_CAP_WIDTH_MAX. */
SimCapSearch *sim_cap_search_new(SimCapGoal goal, gint64 lo, gint64 start, gint64 hi,
                                 guint width);
void sim_cap_search_free(SimCapSearch *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimCapSearch, sim_cap_search_free)

/* The values of the next round, in probing order, into `values` (room for
 * the width); 0 when the search is done. Each must be recorded before the
 * next call. */
guint sim_cap_search_next(SimCapSearch *s, gint64 *values);

/* The verdict of a probe of the current round. */
void sim_cap_search_record(SimCapSearch *s, gint64 value, bool pass);

bool sim_cap_search_done(const SimCapSearch *s);

typedef struct SimCapAnswer {
    bool found;       /* false: no value passes (the answer is "none") */
    gint64 value;     /* the answer, when found: the safe end of the range */
    bool at_limit;    /* the answer is the end of [lo, hi] the search could not pass:
                       * hi for LARGEST (the real capacity may be higher), lo for SMALLEST */
    bool monotone;    /* false: a probe passed on the failing side of a failing one */
    gint64 range_lo;  /* the answer lies in [range_lo, range_hi]: both `value` when monotone; */
    gint64 range_hi;  /* else from the lowest failing - 1 to the highest passing (LARGEST), or
                       * from the lowest passing to the highest failing + 1 (SMALLEST) */
    bool has_pass;    /* the confirming probes: `pass_at` passed (the answer itself) */
    gint64 pass_at;
    bool has_fail;    /* `fail_at` failed: the value next to the answer on the failing side */
    gint64 fail_at;
    guint rounds;     /* rounds asked for */
    guint probes;     /* values probed */
} SimCapAnswer;

/* The answer so far (final once done). */
SimCapAnswer sim_cap_search_answer(const SimCapSearch *s);
