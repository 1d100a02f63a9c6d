/*
 * kvm-static: libvirt on a KVM host with no balloon manager (no MOM, no
 * pvestatd), on the host of policy/kvm.h (kswapd, direct reclaim, KSM
 * tuned by ksmtuned, virtio_balloon). Each VM's memory is set by hand and
 * stays where it is set; the VM's `limit` is what it is given, one of two
 * ways:
 *
 *   with its balloon driver: the domain's currentMemory (`virsh setmem`,
 *   libvirt's <currentMemory>): balloon target = configured - limit, held
 *   for as long as the limit stands;
 *   without it: the cgroup's memory hard limit (<memtune><hard_limit>):
 *   no balloon, the host swaps that VM's least recently used pages when it
 *   holds more than its limit (the host's own enforcement, host/guest.c
 *   and host/swapout.c, as under every policy).
 *
 * A VM without a limit is never ballooned. The kernel's part (kswapd's
 * swap targets, stalls below min) runs every second, ksmtuned's every 60 s;
 * KSM merges only where the scenario's sharing is on (the host's switch).
 */
#include "policy/kvm.h"

#define STATIC_TICK SIM_S

typedef struct KvmStatic {
    PolicyKswapd kswapd;
    PolicyKsmtuned ksmtuned;
} KvmStatic;

static bool static_init(void *state, const PolicyView *view, GError **error)
{
    (void)error;
    KvmStatic *s = state;
    policy_ksmtuned_init(&s->ksmtuned, view->now);
    return true;
}

/* virsh setmem's balloon: the pages between the VM's memory and its
 * currentMemory (= its limit). A guest without a running driver cannot be
 * ballooned, so its limit is the cgroup's hard limit instead. */
static uint64_t balloon_target(const PolicyVmView *v)
{
    if (!v->powered_on || !v->has_balloon || v->limit >= v->configured) {
        return 0;
    }
    return v->configured - v->limit;
}

static void static_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    KvmStatic *s = state;
    policy_kvm_host_tick(&s->kswapd, view, out);
    for (guint i = 0; i < view->n_vms; i++) {
        out->vms[i].mctl_target = balloon_target(&view->vms[i]);
    }
    policy_ksmtuned_tick(&s->ksmtuned, view, out);
}

static double kb(const PolicyView *view, uint64_t pages)
{
    return (double)pages * (double)view->page_bytes / 1024.0;
}

/* One domain as libvirt shows it (kB, its KiB): <memory>, <currentMemory>,
 * <memtune><hard_limit> (null: unlimited), and dommemstat's actual (the
 * balloon's view of the guest's memory) and rss; VmSwap is the qemu
 * process's memory in host swap. */
static void trace_domain(GString *b, const PolicyView *view, const PolicyTargets *out, guint i)
{
    const PolicyVmView *v = &view->vms[i];
    uint64_t target = out->vms[i].mctl_target;
    g_string_append_printf(b,
                           "%s{\"vm\":%u,\"state\":\"%s\",\"memory\":%.0f,\"currentMemory\":%.0f,"
                           "\"hard_limit\":",
                           i == 0 ? "" : ",", i, v->powered_on ? "running" : "shut off",
                           kb(view, v->configured), kb(view, v->configured - target));
    bool hard = v->limit < v->configured && !v->has_balloon;
    if (hard) {
        g_string_append_printf(b, "%.0f", kb(view, v->limit));
    } else {
        g_string_append(b, "null");
    }
    g_string_append_printf(b, ",\"actual\":%.0f,\"rss\":%.0f,\"VmSwap\":%.0f}",
                           kb(view, v->configured - MIN(v->mctl, v->configured)),
                           kb(view, v->consumed), kb(view, v->swapped));
}

/* {"host": {"MemTotal", "MemFree"} (kB, /proc/meminfo), "kswapd" (awake),
 * "ksm": {"run", "pages_to_scan", "sleep_millisecs"} (ksmtuned's last
 * adjust), "domains": [...] (trace_domain, every VM in scenario order). */
static char *static_trace(void *state, const PolicyView *view, const PolicyTargets *out)
{
    const KvmStatic *s = state;
    const PolicyKsm *ksm = &s->ksmtuned.ksm;
    GString *b = g_string_new(NULL);
    g_string_append_printf(b,
                           "{\"host\":{\"MemTotal\":%.0f,\"MemFree\":%.0f},\"kswapd\":%s,"
                           "\"ksm\":{\"run\":%d,\"pages_to_scan\":%.0f,\"sleep_millisecs\":%.0f},"
                           "\"domains\":[",
                           kb(view, view->host_pages), kb(view, view->host_free),
                           s->kswapd.awake ? "true" : "false", ksm->run ? 1 : 0, ksm->pages_to_scan,
                           ksm->sleep_ms);
    for (guint i = 0; i < view->n_vms; i++) {
        trace_domain(b, view, out, i);
    }
    g_string_append(b, "]}");
    return g_string_free(b, FALSE);
}

const PolicyClass policy_kvm_static = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "kvm-static",
    .summary = "libvirt on KVM without a balloon manager: each VM's limit as its currentMemory "
               "(balloon) or, without a driver, a cgroup hard limit; kswapd, KSM by ksmtuned",
    .state_size = sizeof(KvmStatic),
    .period = STATIC_TICK,
    .init = static_init,
    .tick = static_tick,
    .era = &policy_era_kvm,
    .trace = static_trace,
};
