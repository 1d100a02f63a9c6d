/*
 * A Linux host's zone watermarks (mm/page_alloc.c, init_per_zone_wmark_min
 * and __setup_per_zone_wmarks), summed over the zones as one: kswapd wakes
 * below low and reclaims until high; below min an allocation reclaims
 * directly and its vCPU stalls (docs/model.md "Linux host").
 */
#include "host/host.h"
#include "sim/units.h"

#include <math.h>

/* min_free_kbytes = sqrt(16 x lowmem kB), within [128 kB, 256 MiB] (the
 * upper clamp since Linux 5.7; 64 MiB before). */
#define LINUX_MIN_FREE_LO (128 * SIM_KIB)
#define LINUX_MIN_FREE_HI (262144 * SIM_KIB)
/* With transparent huge pages khugepaged raises it to keep pageblocks free:
 * pageblock (512 pages) x zones x (2 + 3 x 3 migrate types), 3 zones (DMA,
 * DMA32, Normal on x86-64) -> 16896 pages = 67584 kB, at most 5% of memory
 * (mm/khugepaged.c set_recommended_min_free_kbytes). */
#define LINUX_THP_PAGEBLOCK_PAGES 512u
#define LINUX_THP_ZONES 3u
#define LINUX_THP_MIGRATE_FACTOR 11u /* 2 + MIGRATE_PCPTYPES^2 */
#define LINUX_THP_MAX_FRACTION 0.05
/* vm.watermark_scale_factor 10: the gaps min-low and low-high are
 * max(min / 4, 10 / 10000 of memory) (Linux 4.6+). */
#define LINUX_WMARK_SCALE 0.001

uint64_t host_linux_min_free(uint64_t host_bytes, bool thp)
{
    double kb = floor(sqrt((double)(host_bytes / SIM_KIB) * 16.0));
    uint64_t bytes = CLAMP((uint64_t)kb * SIM_KIB, LINUX_MIN_FREE_LO, LINUX_MIN_FREE_HI);
    if (thp) {
        uint64_t pages = LINUX_THP_PAGEBLOCK_PAGES * LINUX_THP_ZONES * LINUX_THP_MIGRATE_FACTOR;
        uint64_t thp_bytes = MIN(pages * 4 * SIM_KIB,
                                 (uint64_t)((double)host_bytes * LINUX_THP_MAX_FRACTION));
        bytes = MAX(bytes, thp_bytes);
    }
    return bytes;
}

/* The watermarks as state bounds: high above the high watermark, soft
 * between low and high (kswapd finishing), hard between min and low
 * (kswapd running), low below min (direct reclaim); no clear state. */
void host_linux_thresholds(HostThresholds *t, uint64_t host_pages, uint64_t min_pages)
{
    uint64_t gap = MAX(min_pages / 4, (uint64_t)((double)host_pages * LINUX_WMARK_SCALE));
    *t = (HostThresholds){.min_free = min_pages, .has_clear = false};
    t->wmark_min = min_pages;
    t->wmark_low = min_pages + gap;
    t->wmark_high = min_pages + 2 * gap;
    t->start[HOST_STATE_HIGH] = t->wmark_high;
    t->start[HOST_STATE_CLEAR] = t->wmark_high;
    t->start[HOST_STATE_SOFT] = t->wmark_low;
    t->start[HOST_STATE_HARD] = t->wmark_min;
    t->start[HOST_STATE_LOW] = t->wmark_min;
}
