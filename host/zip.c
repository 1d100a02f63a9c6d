/*
 * The compression cache (docs/design.md "Compression"; vSphere Resource
 * Management, "Memory Compression"): only pages chosen for swap-out are
 * compressed; a 4 KiB page that compresses to <= 2 KiB is kept in a 2 KiB
 * slot (1 KiB at <= 1 KiB), otherwise it is swapped. A simulated page
 * stands for page_size / 4 KiB such pages of one compressibility, so it
 * takes that many slots: a quarter or a half of its size at any page size.
 * Each VM's cache may hold up to Mem.MemZipMaxPct of its configured memory;
 * a full cache evicts its oldest page to swap.
 */
#include "host/host-private.h"

#define ZIP_SLOT_1K 1024u
#define ZIP_SLOT_2K 2048u

/* Oldest-first page numbers. Entries go stale when a page leaves the cache
 * early (decompressed, released); they are skipped when popped and swept
 * when they outnumber the live ones, so the ring stays O(pages cached). */
struct HostZipRing {
    uint32_t *buf;
    size_t head, len, cap;
};

static void ring_push(struct HostZipRing *r, uint32_t p)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 1024;
        uint32_t *buf = g_new(uint32_t, cap);
        for (size_t i = 0; i < r->len; i++) {
            buf[i] = r->buf[(r->head + i) % r->cap];
        }
        g_free(r->buf);
        r->buf = buf;
        r->cap = cap;
        r->head = 0;
    }
    r->buf[(r->head + r->len) % r->cap] = p;
    r->len++;
}

static uint32_t ring_pop(struct HostZipRing *r)
{
    uint32_t p = r->buf[r->head];
    r->head = (r->head + 1) % r->cap;
    r->len--;
    return p;
}

/* Drops stale entries (pages no longer compressed), keeping the order. */
static void ring_sweep(struct HostZipRing *r, const HostPages *pages)
{
    size_t kept = 0;
    for (size_t i = 0; i < r->len; i++) {
        uint32_t p = r->buf[(r->head + i) % r->cap];
        if (host_pages_backing(pages, p) == HOST_BACK_ZIP) {
            r->buf[(r->head + kept) % r->cap] = p;
            kept++;
        }
    }
    r->len = kept;
}

void host_zip_free_ring(HostVm *vm)
{
    if (vm->zip_ring != NULL) {
        g_free(vm->zip_ring->buf);
        g_free(vm->zip_ring);
        vm->zip_ring = NULL;
    }
}

/* Bytes page p takes in the cache: one slot per 4 KiB sub-page. */
static uint64_t slot_bytes(const Host *host, const HostPages *pages, uint32_t p)
{
    uint64_t slot = host_pages_zip_class(pages, p) == HOST_ZIP_1K ? ZIP_SLOT_1K : ZIP_SLOT_2K;
    return slot * MAX(1, host->page_size / HOST_SUBPAGE_BYTES);
}

/* The cache holds whole machine pages: frames = ceil(bytes / page). */
static void set_zip_bytes(Host *host, HostVm *vm, uint64_t bytes)
{
    uint64_t frames = (bytes + host->page_size - 1) / host->page_size;
    host->frames_used = host->frames_used + frames - vm->zip_frames;
    vm->zip_bytes = bytes;
    vm->zip_frames = frames;
}

void host_zip_drop(Host *host, guint vm, uint32_t p)
{
    HostVm *v = &host->vms[vm];
    set_zip_bytes(host, v, v->zip_bytes - slot_bytes(host, v->pages, p));
}

static void evict_oldest(Host *host, guint vm)
{
    HostVm *v = &host->vms[vm];
    while (v->zip_ring->len > 0) {
        uint32_t p = ring_pop(v->zip_ring);
        if (host_pages_backing(v->pages, p) == HOST_BACK_ZIP) {
            host_zip_drop(host, vm, p);
            host_swap_store(host, vm, p);
            return;
        }
    }
}

uint64_t host_zip_evict_frame(Host *host, guint vm)
{
    HostVm *v = &host->vms[vm];
    uint64_t before = v->zip_frames;
    while (v->zip_frames == before && v->zip_ring != NULL && v->zip_ring->len > 0 &&
           host_vm_swap_room(v)) {
        evict_oldest(host, vm);
    }
    return before - v->zip_frames;
}

bool host_zip_store(Host *host, guint vm, uint32_t p, SimTime now)
{
    (void)now;
    HostVm *v = &host->vms[vm];
    const SimCompressionConfig *zc = &host->scenario->host.compression;
    if (!host->compression || !zc->enabled || host_pages_zip_class(v->pages, p) == HOST_ZIP_NONE) {
        return false;
    }
    uint64_t cap_bytes = (uint64_t)(zc->max_pct * (double)v->configured) * host->page_size;
    uint64_t slot = slot_bytes(host, v->pages, p);
    if (slot > cap_bytes) {
        return false;
    }
    if (v->zip_ring == NULL) {
        v->zip_ring = g_new0(struct HostZipRing, 1);
    }
    while (v->zip_bytes + slot > cap_bytes && v->zip_ring->len > 0) {
        evict_oldest(host, vm);
    }
    set_zip_bytes(host, v, v->zip_bytes + slot);
    host_pages_set_backing(v->pages, p, HOST_BACK_ZIP);
    ring_push(v->zip_ring, p);
    uint64_t live = host_pages_count_backing(v->pages, HOST_BACK_ZIP);
    if (v->zip_ring->len > 2 * live + 1024) {
        ring_sweep(v->zip_ring, v->pages);
    }
    return true;
}

void host_set_compression(Host *host, bool on)
{
    host->compression = on;
}
