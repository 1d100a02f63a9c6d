/*
 * The search of `reclaimsim capacity`: see sim/out/capacity.h.
 *
 * Internally every search is one that wants the largest passing value:
 * u = v for SIM_CAP_LARGEST, u = -v for SIM_CAP_SMALLEST, so that smaller
 * u pass. The outward steps are taken on v (doubling a count or a host,
 * halving the distance to the floor), where they make sense.
 */
#include "sim/out/capacity.h"

typedef struct Probe {
    gint64 value;
    bool pass;
} Probe;

struct SimCapSearch {
    SimCapGoal goal;
    gint64 lo, start, hi;
    guint width;
    GArray *probes; /* Probe, in the order recorded */
    guint rounds;
};

/* Where the probes leave the boundary, in u: `good` the highest passing u
 * below every failing one, `bad` the lowest failing u; each one past the
 * ends (ulo - 1, uhi + 1) when there is none. `top` is the highest passing
 * u of all: above `bad`, the verdicts are not monotone. */
typedef struct Bracket {
    gint64 ulo, uhi;
    gint64 good, bad, top;
} Bracket;

static gint64 to_u(const SimCapSearch *s, gint64 v)
{
    return s->goal == SIM_CAP_LARGEST ? v : -v;
}

/* to_u is its own inverse */
static gint64 to_v(const SimCapSearch *s, gint64 u)
{
    return to_u(s, u);
}

static Bracket bracket(const SimCapSearch *s)
{
    Bracket b = {.ulo = MIN(to_u(s, s->lo), to_u(s, s->hi)),
                 .uhi = MAX(to_u(s, s->lo), to_u(s, s->hi))};
    b.good = b.top = b.ulo - 1;
    b.bad = b.uhi + 1;
    for (guint i = 0; i < s->probes->len; i++) {
        const Probe *p = &g_array_index(s->probes, Probe, i);
        if (!p->pass) {
            b.bad = MIN(b.bad, to_u(s, p->value));
        }
    }
    for (guint i = 0; i < s->probes->len; i++) {
        const Probe *p = &g_array_index(s->probes, Probe, i);
        gint64 u = to_u(s, p->value);
        if (p->pass) {
            b.top = MAX(b.top, u);
            b.good = u < b.bad ? MAX(b.good, u) : b.good;
        }
    }
    return b;
}

SimCapSearch *sim_cap_search_new(SimCapGoal goal, gint64 lo, gint64 start, gint64 hi,
                                 guint width)
{
    g_return_val_if_fail(0 <= lo && lo <= start && start <= hi, NULL);
    g_return_val_if_fail(width >= 1 && width <= SIM_CAP_WIDTH_MAX, NULL);
    SimCapSearch *s = g_new0(SimCapSearch, 1);
    *s = (SimCapSearch){.goal = goal, .lo = lo, .start = start, .hi = hi, .width = width};
    s->probes = g_array_new(FALSE, FALSE, sizeof(Probe));
    return s;
}

void sim_cap_search_free(SimCapSearch *s)
{
    if (s != NULL) {
        g_array_unref(s->probes);
        g_free(s);
    }
}

/* One outward step from v: up by doubling (at least +1), down by halving
 * the distance to lo (at least -1); within [lo, hi]. */
static gint64 step(const SimCapSearch *s, gint64 v, int dir)
{
    if (dir > 0) {
        return v >= s->hi / 2 ? s->hi : MAX(v * 2, v + 1);
    }
    return MAX(MIN(s->lo + (v - s->lo) / 2, v - 1), s->lo);
}

/* Up to `n` outward steps from v (v itself excluded) in direction dir. */
static guint outward(const SimCapSearch *s, gint64 v, int dir, guint n, gint64 *values)
{
    guint k = 0;
    for (gint64 next = step(s, v, dir); k < n && next != v; v = next, next = step(s, v, dir)) {
        values[k++] = next;
    }
    return k;
}

guint sim_cap_search_next(SimCapSearch *s, gint64 *values)
{
    Bracket b = bracket(s);
    if (b.good + 1 == b.bad) {
        return 0;
    }
    /* the direction on v toward the failing side: larger counts, smaller hosts */
    int to_fail = s->goal == SIM_CAP_LARGEST ? 1 : -1;
    guint n = 0;
    if (s->probes->len == 0) {
        /* the scenario as written most likely passes: look past it at once */
        values[n++] = s->start;
        n += outward(s, s->start, to_fail, s->width - 1, values + n);
    } else if (b.good < b.ulo) {
        n = outward(s, to_v(s, b.bad), -to_fail, s->width, values);
    } else if (b.bad > b.uhi) {
        n = outward(s, to_v(s, b.good), to_fail, s->width, values);
    } else {
        gint64 last = b.good;
        for (guint i = 1; i <= s->width; i++) {
            gint64 u = b.good + (b.bad - b.good) * (gint64)i / (gint64)(s->width + 1);
            if (u > last && u < b.bad) {
                values[n++] = to_v(s, u);
                last = u;
            }
        }
    }
    s->rounds++;
    return n;
}

void sim_cap_search_record(SimCapSearch *s, gint64 value, bool pass)
{
    Probe p = {.value = value, .pass = pass};
    g_array_append_val(s->probes, p);
}

bool sim_cap_search_done(const SimCapSearch *s)
{
    Bracket b = bracket(s);
    return b.good + 1 == b.bad;
}

SimCapAnswer sim_cap_search_answer(const SimCapSearch *s)
{
    Bracket b = bracket(s);
    SimCapAnswer a = {.rounds = s->rounds, .probes = s->probes->len};
    a.found = b.good >= b.ulo;
    a.value = to_v(s, b.good);
    a.at_limit = a.found && b.good == b.uhi;
    a.monotone = b.top < b.bad;
    gint64 far = a.monotone ? b.good : b.top;
    a.range_lo = MIN(to_v(s, b.good), to_v(s, far));
    a.range_hi = MAX(to_v(s, b.good), to_v(s, far));
    a.has_pass = a.found;
    a.pass_at = a.value;
    a.has_fail = b.bad <= b.uhi;
    a.fail_at = to_v(s, b.bad);
    return a;
}
