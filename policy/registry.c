#include <string.h>

#include "policy/policy.h"

extern const PolicyClass policy_esxi;
extern const PolicyClass policy_esxi5;
extern const PolicyClass policy_esx2002;
extern const PolicyClass policy_balloon_only;
extern const PolicyClass policy_swap_only;
extern const PolicyClass policy_no_sharing;
extern const PolicyClass policy_kvm_mom;
extern const PolicyClass policy_kvm_static;
extern const PolicyClass policy_xen_selfballoon;
extern const PolicyClass policy_proxmox;
extern const PolicyClass policy_hyperv_dm;

/* The built-in policies in the order `reclaimsim policies` lists them. */
static const PolicyClass *const builtins[] = {
    &policy_esxi,
    &policy_esxi5,
    &policy_esx2002,
    &policy_balloon_only,
    &policy_swap_only,
    &policy_no_sharing,
    &policy_kvm_mom,
    &policy_kvm_static,
    &policy_proxmox,
    &policy_hyperv_dm,
    &policy_xen_selfballoon,
    NULL,
};

const PolicyClass *const *policy_builtins(void)
{
    return builtins;
}

const PolicyClass *policy_lookup(const char *name)
{
    for (const PolicyClass *const *p = builtins; *p != NULL; p++) {
        if (strcmp((*p)->name, name) == 0) {
            return *p;
        }
    }
    return NULL;
}
