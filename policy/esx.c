#include "policy/esx.h"

static uint64_t sub0(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

/* Pages the VM's balloon can hold at most: none without a driver (tools not
 * running, `balloon_driver: false`), else its cap. */
static uint64_t balloon_reach(const EsxRules *rules, const PolicyVmView *v)
{
    return v->has_balloon && !rules->no_balloon ? v->mctl_max : 0;
}


/* In soft the host balloons; it pages only the part the balloon cannot
 * take, because the VM has no driver or its balloon would pass its cap
 * (Waldspurger 2002, 3.3: "page only where ballooning is not possible").
 * `want` is the balloon the VM should hold, `over` what it holds above its
 * target; the host pages at most `over`. */
static uint64_t soft_swap(const EsxRules *rules, const PolicyVmView *v, uint64_t want,
                          uint64_t over)
{
    return MIN(over, sub0(want, balloon_reach(rules, v)));
}

/* The balloon the VM should hold: its balloon plus what it holds above its
 * target, less the room its target has beyond what it holds. Inflating
 * moves pages from consumed to the balloon, so the sum does not move while
 * the balloon works; it deflates once the VM holds less than its target. */
static uint64_t balloon_want(const PolicyVmView *v)
{
    return sub0(v->mctl + v->consumed, v->sztgt);
}

static void vm_tick(const EsxRules *rules, HostState state, const PolicyVmView *v,
                    PolicyVmTargets *t)
{
    if (!v->powered_on) {
        *t = (PolicyVmTargets){0};
        return;
    }
    uint64_t want = balloon_want(v);
    uint64_t limit_need = sub0(v->configured, v->limit); /* above the limit */
    /* the balloon grows in soft; where it is the only reclaimer it keeps
     * growing in hard and low */
    bool inflate = state == HOST_STATE_SOFT || (rules->no_host_swap && state > HOST_STATE_SOFT);
    uint64_t grow = MAX(limit_need, inflate ? want : 0);
    /* Grow only in soft (or toward a limit); in every state let the balloon
     * deflate (slowly, in the driver) to what the VM should hold. */
    t->mctl_target = rules->no_balloon ? 0 : MIN(MAX(MIN(v->mctl, want), grow), v->mctl_max);
    uint64_t over = sub0(v->consumed, v->sztgt);
    bool swapping = state == HOST_STATE_HARD || state == HOST_STATE_LOW;
    uint64_t page = swapping                  ? over
                    : state == HOST_STATE_SOFT ? soft_swap(rules, v, want, over)
                                               : 0;
    t->swap_target = v->swapped + (rules->no_host_swap ? 0 : page);
    /* with no host swap only the balloons free memory: from hard on every
     * VM's allocations wait for them */
    bool wait_all = rules->no_host_swap && state >= HOST_STATE_HARD;
    t->block_alloc = (state == HOST_STATE_LOW && over > 0) || wait_all;
}

void policy_esx_tick(const EsxRules *rules, const PolicyView *view, PolicyTargets *out)
{
    for (guint i = 0; i < view->n_vms; i++) {
        vm_tick(rules, view->state, &view->vms[i], &out->vms[i]);
    }
    out->compression = rules->compression && !rules->no_host_swap;
    out->share_scan_factor = 1.0;
    out->break_large_pages = view->state >= rules->break_large_below;
}
