/*
 * The one interface between the mechanisms and a reclamation policy.
 * A policy sees only what a real hypervisor can observe (PolicyView) and
 * writes targets (PolicyTargets); the mechanisms in host/ and guest/ move
 * pages toward those targets at their own bounded rates.
 *
 * This header is installed (with host/state.h and sim/time.h) for
 * plug-ins: a shared object that exports
 *     const PolicyClass *reclaimsim_policy(void);
 * loads with `--policy PATH.so` (docs/plugins.md). The ABI only grows:
 * fields and slots are appended to these structs, never moved or removed,
 * and every append bumps POLICY_ABI_VERSION. A plug-in built against an
 * older version keeps working: the engine reads only the prefix of its
 * structs that its version had (policy/plugin.c keeps the size of each
 * struct at each version).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "host/state.h"
#include "sim/time.h"

#define POLICY_ABI_VERSION 2u
/* The oldest version this engine still loads. */
#define POLICY_ABI_OLDEST 1u

/* What the hypervisor observes of one VM. All sizes are pages. */
typedef struct PolicyVmView {
    bool powered_on;
    bool has_balloon;       /* tools running with a balloon driver */
    uint64_t configured;    /* configured pages */
    uint64_t reservation;   /* pages */
    uint64_t limit;         /* pages, = configured when unlimited */
    uint64_t shares;
    uint64_t consumed;      /* machine pages the VM holds */
    uint64_t sztgt;         /* memory scheduler target, pages */
    uint64_t active;        /* sampled active estimate, pages */
    uint64_t mctl;          /* current balloon size */
    uint64_t mctl_max;      /* balloon cap */
    uint64_t swapped;       /* pages in host swap */
    /* guest-reported statistics: only for policies whose real counterpart has them */
    uint64_t guest_free;    /* MemFree: free pages, caches not counted (virtio MEMFREE) */
    uint64_t guest_cache;
    /* ABI 2 */
    uint64_t guest_available; /* MemAvailable: free + what the guest can drop at once */
    uint64_t guest_committed; /* Committed_AS: anonymous memory in use, resident or in guest swap */
    uint64_t guest_kernel;    /* the guest kernel's pinned pages */
} PolicyVmView;

typedef struct PolicyView {
    SimTime now;
    uint64_t host_pages;       /* machine memory, pages */
    uint64_t host_free;        /* free machine pages */
    uint64_t min_free;         /* minFree, pages */
    HostState state;           /* host memory state (6.0+ reading) */
    guint n_vms;
    const PolicyVmView *vms;
    uint64_t page_bytes;       /* bytes in one of the view's pages (host.page_size) */
    /* ABI 2 */
    uint64_t wmark_min, wmark_low, wmark_high; /* a Linux host's zone watermarks, pages;
                                                  0 on an ESX host */
    uint64_t share_frames;     /* shared frames host-wide (KSM pages_shared) */
    uint64_t share_refs;       /* guest pages mapping them (pages_shared + pages_sharing) */
    guint n_params;            /* the policy's settings (PolicyClass.params), in its order */
    const double *params;      /* sizes in bytes, durations in ns, percentages as fractions */
} PolicyView;

/* Targets for one VM; the engine starts each tick from the previous ones. */
typedef struct PolicyVmTargets {
    uint64_t mctl_target;   /* balloon target, pages (the driver caps it) */
    uint64_t swap_target;   /* pages the host should hold in swap/compressed */
    bool block_alloc;       /* the VM stalls on allocation (low state) */
} PolicyVmTargets;

typedef struct PolicyTargets {
    guint n_vms;
    PolicyVmTargets *vms;
    bool compression;         /* compress pages chosen for swap-out */
    double share_scan_factor; /* multiplies page-sharing scan rates */
    bool break_large_pages;
    /* ABI 2 */
    double share_rate; /* > 0: one host-wide scan rate in 4 KiB pages per second (KSM's
                          pages_to_scan per sleep_millisecs), spread over the VMs by size,
                          instead of each VM's own rate; scaled by share_scan_factor */
} PolicyTargets;

/* The constants of a balloon driver (4 KiB pages per poll), replacing
 * vmw_balloon's defaults of guest.balloon (a scenario's values stay). */
typedef struct PolicyDriver {
    SimTime poll;           /* how often it reads its target; 0 = vmw_balloon */
    uint32_t rate_fast;     /* pages per poll from free memory */
    uint32_t rate_slow_max; /* pages per poll when the guest must reclaim */
    uint32_t rate_slow_min; /* after failed allocations */
    uint32_t rate_slow_inc; /* growth per good poll */
    uint32_t deflate_fast;  /* pages per poll when the guest needs memory */
    uint32_t deflate_slow;  /* pages per poll otherwise */
} PolicyDriver;

/* What a setting of a policy holds (`host.policy` as an object). */
typedef enum {
    POLICY_PARAM_NUMBER,   /* a plain number */
    POLICY_PARAM_SIZE,     /* bytes: "512MiB" */
    POLICY_PARAM_DURATION, /* ns: "10s" */
    POLICY_PARAM_PERCENT,  /* a fraction: "20%" or 0.2 */
    POLICY_PARAM_BOOL,     /* 0 or 1 */
} PolicyParamKind;

/* One setting of a policy: a key of `host.policy` beside "name", checked
 * by the loader like every other key and listed in the keys reference. */
typedef struct PolicyParam {
    const char *name;      /* "buffer" */
    PolicyParamKind kind;
    double def;            /* the real system's default, in the value's unit (bytes, ns,
                              fraction) */
    double min, max;       /* bounds, in the same unit */
    const char *doc;       /* one line, with the real system's name and source */
} PolicyParam;

/*
 * The host of a policy's era: its memory states and the defaults it ran
 * with. They replace only the defaults: a value the scenario gives is kept
 * (sim_scenario_gives()).
 */
typedef struct PolicyEra {
    double state_pct[HOST_STATE_MAX]; /* thresholds; clear < 0 = no clear state */
    bool pct_of_host;      /* thresholds in % of host memory (2002), not of minFree */
    int salting;           /* Mem.ShareForceSalting of the era */
    SimTime sample_period; /* active memory sampling period */
    double ctl_max_pct;    /* balloon cap, fraction of configured memory */
    bool large_pages;      /* guests backed by large pages */
    bool compression;      /* the era has a compression cache */
    /* appended: zero is the current ESXi, so an era written before them keeps it */
    bool flat_idle_tax;    /* Mem.IdleTaxType 0: every idle page pays the full tax */
    bool no_demand_cap;    /* the scheduler does not cap entitlement by demand */
    bool no_sharing;       /* the policy runs without page sharing, whatever the scenario says */
    /* ABI 2 */
    bool linux_host;       /* a Linux (KVM) host: zone watermarks from min_free_kbytes
                              instead of minFree and states, and host swap takes the least
                              recently used guest pages (docs/model.md "Linux host") */
    bool no_host_swap;     /* the host never swaps or compresses a running VM's memory
                              (Hyper-V, Xen) */
    PolicyDriver driver;   /* the guests' balloon driver; poll 0 = vmw_balloon's */
    /* appended (still ABI 2): at power-on the engine asks the policy for its targets (the
       VM still off in the view) and the guest boots with its balloon already at the VM's
       target: free pages taken before the guest's first touch, never backed. It models
       memory a host gives a VM only after boot (Hyper-V's Startup RAM, hot-add). */
    bool boot_at_balloon_target;
} PolicyEra;

typedef struct PolicyClass {
    unsigned abi_version; /* POLICY_ABI_VERSION; slots are only appended */
    const char *name;     /* "esxi", "kvm-mom" */
    const char *summary;  /* one line for `reclaimsim policies` */
    size_t state_size;    /* private state, zeroed by the engine */
    SimTime period;       /* how often tick() runs */
    bool (*init)(void *state, const PolicyView *view, GError **error); /* may be NULL */
    void (*tick)(void *state, const PolicyView *view, PolicyTargets *out);
    void (*finalize)(void *state); /* may be NULL */
    const PolicyEra *era;          /* host model of the era; NULL = ESXi 6.0+ */
    /* One JSON object (no newline, g_malloc'd) of what the policy observed
     * and decided this tick, in its real system's names and units, for
     * `run --policy-trace`; NULL = the engine's generic line. */
    char *(*trace)(void *state, const PolicyView *view, const PolicyTargets *out);
    /* ABI 2 */
    const PolicyParam *params; /* its settings, read in view->params; may be NULL */
    guint n_params;
} PolicyClass;

/* `value` of `param` as a scenario writes it ("20%", "10s", "512MiB",
 * "true", "1250"), g_malloc'd. */
char *policy_param_format(const PolicyParam *param, double value);

/* What is wrong with a class's settings declarations (a name that is not a
 * valid key, an unknown kind, a default outside its bounds, two settings of
 * one name), g_malloc'd, or NULL. */
char *policy_params_fault(const PolicyClass *cls);

/* The built-in policy named `name`, or NULL. */
const PolicyClass *policy_lookup(const char *name);

/* Whether `name` names a plug-in file rather than a built-in policy: it
 * holds a directory separator or ends in the module suffix (".so"). */
bool policy_is_path(const char *name);

/* The built-in policy `name`, the plug-in at that path, or the plug-in
 * NAME.so of the plug-in folders (loaded once and kept for the process).
 * NULL when there is no such built-in or plug-in
 * (SIM_ERROR_USAGE) or the plug-in cannot be loaded, has no
 * reclaimsim_policy symbol, or has an ABI version this engine does not
 * load (SIM_ERROR_PLUGIN, a message without the file name, which the
 * caller adds). Safe to call from several threads. */
const PolicyClass *policy_resolve(const char *name, GError **error);

/* The plug-in folders searched, in order and after the built-ins, for a
 * policy given by name: NAME is the plug-in NAME.so of the first folder
 * holding one (reclaimsim's --plugins and RECLAIMSIM_PLUGINS). Copied;
 * NULL clears them. Set before any thread resolves a policy. */
void policy_set_plugin_dirs(const char *const *dirs);

/* The path of NAME.so in the first plug-in folder that has it, g_malloc'd,
 * or NULL (also for a built-in's name or a path). */
char *policy_find_plugin(const char *name);

/* The names of the plug-ins in the folders (file names without ".so"),
 * sorted, each once; a NULL-terminated g_strfreev list. */
char **policy_plugin_names(void);

/* NULL-terminated list of the built-in policies, in listing order. */
const PolicyClass *const *policy_builtins(void);
