#include "host/host.h"
#include "sim/units.h"


/* Mem.MemMinFreePct = 0 (auto): a sliding scale over the host's memory,
 * 6% of the first 4 GiB, 4% of the next 8, 2% of the next 16, 1% of the
 * rest (vSphere Resource Management, "Free memory states"; 901.12 MiB at
 * 28 GiB). Computed in bytes with percent fractions so that the documented
 * values come out exact. */
static const struct {
    uint64_t band_bytes; /* width of the band; 0 = the rest */
    uint64_t pct;        /* percent of the band kept free */
} minfree_scale[] = {
    {4 * SIM_GIB, 6},
    {8 * SIM_GIB, 4},
    {16 * SIM_GIB, 2},
    {0, 1},
};

uint64_t host_minfree_for(uint64_t host_bytes)
{
    uint64_t left = host_bytes;
    uint64_t min_free = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(minfree_scale) && left > 0; i++) {
        uint64_t band = minfree_scale[i].band_bytes;
        uint64_t in_band = (band == 0 || left < band) ? left : band;
        min_free += in_band * minfree_scale[i].pct / 100;
        left -= in_band;
    }
    return min_free;
}
