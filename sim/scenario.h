/*
 * A loaded, validated scenario (docs/design.md section 3). Plain data: the loader
 * (sim/load/scenario.h) fills it, the model reads it and never changes it. Sizes are bytes, times
 * are SimTime, rates are per second, percentages are fractions (0.65 for
 * "65%"). Every knob has its documented default (docs/model.md) applied by
 * the loader, so the model never sees "unset".
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/time.h"

#define SIM_SIZE_UNLIMITED UINT64_MAX

typedef enum { SIM_OS_LINUX, SIM_OS_WINDOWS, SIM_OS_MAX } SimGuestOs;
const char *sim_guest_os_to_string(SimGuestOs os);

typedef enum {
    SIM_STATE_READING_BAND,  /* in state X while free lies in [T_X, T_higher) */
    SIM_STATE_READING_BELOW, /* in state X once free < T_X */
    SIM_STATE_READING_MAX
} SimStateReading;
const char *sim_state_reading_to_string(SimStateReading reading);

/* Mem.IdleTaxType: 1 = variable (ESXi's default), 0 = flat (docs/model.md). */
typedef enum { SIM_IDLE_TAX_VARIABLE, SIM_IDLE_TAX_FLAT, SIM_IDLE_TAX_MAX } SimIdleTaxType;
const char *sim_idle_tax_type_to_string(SimIdleTaxType type);

/* What kind of host a run models: not a key, set by the policy's era. */
typedef enum {
    SIM_HOST_MODEL_ESX,     /* ESX/ESXi: minFree states, memory scheduler */
    SIM_HOST_MODEL_LINUX,   /* a KVM host: watermarks, kswapd, KSM */
    SIM_HOST_MODEL_NO_SWAP, /* a host that never swaps (Hyper-V, Xen) */
} SimHostModel;

/* "esx", "linux", "no-swap": summary.json's host.config.host_model. */
const char *sim_host_model_to_string(SimHostModel model);

/* workload.kind: presets of the workload keys (sim/load/workload.c, docs/model.md
 * "Workload kinds"); GENERIC keeps every key's own default. */
typedef enum {
    SIM_WORKLOAD_GENERIC,
    SIM_WORKLOAD_DATABASE,
    SIM_WORKLOAD_WEB,
    SIM_WORKLOAD_DESKTOP,
    SIM_WORKLOAD_FILE_SERVER,
    SIM_WORKLOAD_COMPILE,
    SIM_WORKLOAD_BATCH,
    SIM_WORKLOAD_IDLE,
    SIM_WORKLOAD_KIND_MAX
} SimWorkloadKind;
const char *sim_workload_kind_to_string(SimWorkloadKind kind);

typedef enum { SIM_EVENT_POWER_ON, SIM_EVENT_POWER_OFF, SIM_EVENT_SET, SIM_EVENT_MAX } SimEventAction;
const char *sim_event_action_to_string(SimEventAction action);

/* Fractions of the workload's pages by content (docs/design.md section 2). */
typedef struct SimContentMix {
    double zero;         /* fraction of pages that stay zero */
    double image_shared; /* identical to pages of other VMs of the same image */
    double duplicate;    /* duplicated inside the VM */
    double compressible; /* fraction that compresses to <= 2 KiB */
} SimContentMix;

/* A change of the workload at a time after power-on; unset fields keep their value. */
typedef struct SimPhase {
    SimTime at; /* since the start of the run */
    bool has_memory, has_active, has_page_cache, has_touch_rate, has_write_share;
    uint64_t memory;     /* bytes of anon memory */
    uint64_t active;     /* bytes of the hot set */
    uint64_t page_cache; /* bytes of file data in use */
    double touch_rate;   /* touches per second of unstalled time */
    double write_share;  /* fraction of touches that are writes, 0..1 */
} SimPhase;

typedef struct SimWorkload {
    SimWorkloadKind kind; /* the preset whose defaults the loader applied */
    uint64_t memory;      /* bytes of anon memory the workload allocates */
    uint64_t active;      /* bytes of the hot set (<= memory) */
    uint64_t page_cache;  /* bytes of file data the workload keeps using */
    double touch_rate;    /* touches per second over the hot set */
    double write_share;   /* fraction of touches that are writes (break copy-on-write), 0..1 */
    uint64_t warm;        /* bytes of the warm set, after the hot set (clamped to what is left) */
    bool has_warm;        /* false: the warm set is a quarter of the memory in force */
    double warm_share;    /* fraction of touches that go to the warm set, 0..1 */
    double cold_share;    /* fraction that go to the cold tail (the rest of memory), 0..1 */
    double cache_hot;     /* fraction of page_cache in the hot set, the rest warm, 0..1 */
    double sequential;    /* fraction of file reads that are sequential (readahead), 0..1 */
    double alloc_rate;    /* bytes per second the workload can allocate */
    SimContentMix content;
    GArray *phases;       /* SimPhase, sorted by at; a trace adds its own (sim/load/trace.h) */
    char *trace;          /* the trace file as resolved against the scenario's folder, or NULL */
} SimWorkload;

/* The balloon driver's constants (Linux vmw_balloon), per VM. */
typedef struct SimBalloonConfig {
    SimTime poll;           /* how often the driver reads its target */
    uint32_t rate_fast;     /* pages per poll while the guest has free pages */
    uint32_t rate_slow_max; /* pages per poll when the guest must reclaim */
    uint32_t rate_slow_min; /* lowest slow rate after failed allocations */
    uint32_t rate_slow_inc; /* growth of the slow rate per successful poll */
    uint32_t deflate_fast;  /* pages per poll when the guest needs memory */
    uint32_t deflate_slow;  /* pages per poll otherwise */
} SimBalloonConfig;

typedef struct SimGuestConfig {
    SimGuestOs os;
    char *image;            /* guest image name, for inter-VM sharing; may be NULL */
    uint64_t swap;          /* bytes of guest swap device */
    bool balloon_driver;    /* tools running with a balloon driver */
    uint64_t kernel;        /* bytes of kernel memory pinned at boot */
    double cache_fill_rate; /* bytes per second a Linux guest grows its page cache */
    SimTime disk_latency;   /* guest disk (guest swap, page cache refault) */
    double disk_bandwidth;  /* bytes per second */
    SimBalloonConfig balloon;
} SimGuestConfig;

typedef struct SimVmConfig {
    char *name;         /* after count expansion: NAME-1 .. NAME-N */
    char *pointer;      /* JSON pointer of the VM entry, for messages: "/vms/0" */
    uint64_t memory;    /* configured bytes */
    uint64_t reservation;
    uint64_t limit;     /* bytes, SIM_SIZE_UNLIMITED when unlimited */
    uint64_t shares;    /* memory shares (normal = 10 per configured MiB) */
    double max_balloon; /* fraction of configured memory */
    SimTime power_on;   /* SIM_TIME_NEVER: stays off until an event */
    char *salt;         /* salt group (sharing mode 1), or NULL */
    SimGuestConfig guest;
    SimWorkload workload;
} SimVmConfig;

typedef struct SimSharingConfig {
    bool enabled;
    int salting;        /* Mem.ShareForceSalting: 0, 1 or 2 */
    SimTime scan_time;  /* Mem.ShareScanTime */
    double rate_max;    /* Mem.ShareRateMax, pages per second per VM */
    double scan_ghz;    /* Mem.ShareScanGHz, bytes per second per GHz */
    bool large_pages;   /* guests backed by 2 MiB pages until broken */
} SimSharingConfig;

typedef struct SimCompressionConfig {
    bool enabled;
    double max_pct;     /* Mem.MemZipMaxPct as a fraction of configured memory */
    SimTime latency;    /* decompressing one page on a touch */
} SimCompressionConfig;

typedef struct SimSwapConfig {
    SimTime latency;      /* swap device access latency */
    double bandwidth;     /* bytes per second */
    uint64_t cache_size;  /* host cache (SSD) bytes, 0 = none */
    SimTime cache_latency;
    double cache_bandwidth;
} SimSwapConfig;

typedef struct SimHostConfig {
    uint64_t memory;        /* bytes of machine memory */
    uint64_t page_size;     /* 4096 or 2 MiB */
    double cpu_ghz;
    uint64_t overhead;      /* bytes used by the hypervisor itself */
    double vm_overhead_base;  /* bytes of overhead per powered-on VM */
    double vm_overhead_frac;  /* plus this fraction of its configured memory */
    uint64_t min_free;      /* bytes; 0 = auto (sliding scale) */
    char *policy;           /* policy name, checked against the registry */
    double *policy_params;  /* host.policy's settings when it is an object, in the order of
                               its class's params (defaults filled in); NULL = a bare name */
    guint n_policy_params;
    char *name;             /* host name in esxtop.csv's counter paths (DNS characters) */
    SimStateReading state_reading;
    double state_hysteresis;  /* fraction of minFree above a boundary to leave a state */
    double idle_tax;          /* fraction, 0.75 */
    SimIdleTaxType idle_tax_type; /* Mem.IdleTaxType */
    bool no_demand_cap;       /* not a key: set by an era whose scheduler had no demand cap */
    SimHostModel host_model;  /* not a key: set by the policy's era */
    SimTime balance_period;   /* memory scheduler period */
    SimTime sample_period;    /* active memory sampling period */
    uint32_t sample_pages;    /* pages sampled per VM per period */
    double ctl_max_pct;       /* Mem.CtlMaxPercent as a fraction */
    SimSharingConfig sharing;
    SimCompressionConfig compression;
    SimSwapConfig swap;
} SimHostConfig;

typedef struct SimEvent {
    SimTime at;
    SimEventAction action;
    guint vm;               /* index into SimScenario.vms */
    char *pointer;          /* JSON pointer of the event, for messages */
    bool has_limit, has_reservation, has_shares;
    uint64_t limit;         /* bytes or SIM_SIZE_UNLIMITED */
    uint64_t reservation;
    uint64_t shares;
} SimEvent;

typedef struct SimScenario {
    char *path;             /* the file it came from, or "<built-in>" */
    char *name;
    char *description;
    uint64_t seed;
    SimTime duration;
    SimTime sample_interval;
    SimHostConfig host;
    GArray *vms;            /* SimVmConfig, after templates and count expansion */
    GArray *events;         /* SimEvent, sorted by at (stable) */
    bool has_sla;
    double sla_perf_index;
    GPtrArray *warnings;    /* char *: problems worked around while loading (a trace
                               without a counter, clipped samples); the CLI prints them */
    GHashTable *given;      /* JSON pointers (char *) of the values the scenario gave,
                               --set included, where read (/templates/... for a template's);
                               NULL = none recorded. Read with sim_scenario_gives() */
} SimScenario;

/*
 * Whether the scenario itself (its text or a --set) gave the value at
 * `pointer` ("/host/sharing/salting"), rather than the loader taking the
 * default: a policy's era replaces only defaults (sim/run/run.c).
 */
bool sim_scenario_gives(const SimScenario *scenario, const char *pointer);

void sim_scenario_free(SimScenario *scenario);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimScenario, sim_scenario_free)

/* Index of the VM named `name`, or -1. */
int sim_scenario_find_vm(const SimScenario *scenario, const char *name);
