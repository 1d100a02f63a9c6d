#include "host/host.h"

/* ESXi 6.0+ thresholds as % of minFree (docs/design.md section 2, vSphere 6
 * Resource Management): high 400, clear 100, soft 64, hard 32, low 16. */
const HostStateTable host_states_esxi6 = {{400.0, 100.0, 64.0, 32.0, 16.0}};

void host_thresholds_init(HostThresholds *t, uint64_t min_free_pages, const HostStateTable *table)
{
    t->min_free = min_free_pages;
    t->wmark_min = t->wmark_low = t->wmark_high = 0;
    t->has_clear = table->pct[HOST_STATE_CLEAR] >= 0.0;
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        /* a state the era lacks (clear before 6.0) starts where the one above does */
        double pct = s > 0 && table->pct[s] < 0.0 ? table->pct[s - 1] : table->pct[s];
        t->start[s] = (uint64_t)((double)min_free_pages * pct / 100.0 + 0.5);
    }
}

/* Band reading: in state X while free lies in [T_X, T_higher). The lowest
 * band (low) also covers everything below T_low. Below reading: in state X
 * once free < T_X, i.e. the band reading shifted by one threshold. */
HostState host_state_for(const HostThresholds *t, SimStateReading reading, uint64_t free)
{
    int shift = reading == SIM_STATE_READING_BELOW ? 1 : 0;
    for (int s = HOST_STATE_HIGH; s < HOST_STATE_LOW; s++) {
        if (!t->has_clear && s == HOST_STATE_CLEAR) {
            continue;
        }
        int bound = s + shift;
        if (!t->has_clear && bound == HOST_STATE_CLEAR) {
            bound++;
        }
        if (bound >= HOST_STATE_MAX || free >= t->start[bound]) {
            return (HostState)s;
        }
    }
    return HOST_STATE_LOW;
}

HostState host_state_next(const HostThresholds *t, SimStateReading reading,
                             HostState current, uint64_t free, uint64_t hysteresis)
{
    HostState raw = host_state_for(t, reading, free);
    if (raw >= current) {
        return raw; /* as severe or worse: at once */
    }
    uint64_t damped = free > hysteresis ? free - hysteresis : 0;
    HostState relaxed = host_state_for(t, reading, damped);
    return relaxed < current ? relaxed : current;
}

static const char *const host_state_names[HOST_STATE_MAX] = {
    [HOST_STATE_HIGH] = "high", [HOST_STATE_CLEAR] = "clear", [HOST_STATE_SOFT] = "soft",
    [HOST_STATE_HARD] = "hard", [HOST_STATE_LOW] = "low",
};

const char *host_state_to_string(HostState state)
{
    if ((unsigned)state >= HOST_STATE_MAX) {
        return "unknown";
    }
    return host_state_names[state];
}
