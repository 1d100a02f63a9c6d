/*
 * Policy plug-ins (docs/plugins.md): a shared object exporting
 * `const PolicyClass *reclaimsim_policy(void)`, loaded through GModule by
 * path, checked for its ABI version and its slots, and kept loaded for the
 * process (a class's code must outlive every run that uses it).
 */
#include <gmodule.h>
#include <stddef.h>
#include <string.h>

#include "policy/policy.h"
#include "sim/error.h"

/* The entry point every plug-in exports. */
#define PLUGIN_SYMBOL "reclaimsim_policy"

typedef const PolicyClass *(*PluginEntry)(void);

/* Bytes of PolicyClass a plug-in of each ABI version has; when a version
 * appends slots, its entry is sizeof and the older ones become offsetof
 * the first slot appended after them. */
static const size_t class_size_at[POLICY_ABI_VERSION + 1] = {
    [1] = offsetof(PolicyClass, params),
    [2] = sizeof(PolicyClass),
};

/* The same for the PolicyEra a class points to. */
static const size_t era_size_at[POLICY_ABI_VERSION + 1] = {
    [1] = offsetof(PolicyEra, linux_host),
    [2] = sizeof(PolicyEra),
};

/* Loaded classes by the path they were asked for: each a full-size copy of
 * the plug-in's class (its missing slots zero). */
static GHashTable *loaded;
G_LOCK_DEFINE_STATIC(loaded);

bool policy_is_path(const char *name)
{
    return strchr(name, G_DIR_SEPARATOR) != NULL || strchr(name, '/') != NULL ||
           g_str_has_suffix(name, "." G_MODULE_SUFFIX);
}

/* The message names no file: the caller says where the path came from. */
static bool plugin_error(GError **error, const char *path, const char *what)
{
    (void)path;
    g_set_error_literal(error, SIM_ERROR, SIM_ERROR_PLUGIN, what);
    return false;
}

/* The checks a class passes before the engine calls it. */
static bool check_class(const PolicyClass *cls, const char *path, GError **error)
{
    if (cls == NULL) {
        return plugin_error(error, path, PLUGIN_SYMBOL "() returned no policy class");
    }
    if (cls->abi_version < POLICY_ABI_OLDEST || cls->abi_version > POLICY_ABI_VERSION) {
        g_autofree char *msg = g_strdup_printf(
            "policy ABI version %u, this reclaimsim loads versions %u to %u (rebuild the "
            "plug-in against its policy/policy.h)",
            cls->abi_version, POLICY_ABI_OLDEST, POLICY_ABI_VERSION);
        return plugin_error(error, path, msg);
    }
    if (cls->name == NULL || cls->name[0] == '\0' || cls->tick == NULL) {
        return plugin_error(error, path, "the policy class has no name or no tick()");
    }
    if (cls->period <= 0) {
        return plugin_error(error, path, "the policy class has no period (it must be > 0)");
    }
    g_autofree char *fault = cls->abi_version >= 2 ? policy_params_fault(cls) : NULL;
    if (fault != NULL) {
        return plugin_error(error, path, fault);
    }
    if (policy_lookup(cls->name) != NULL) {
        g_autofree char *msg =
            g_strdup_printf("policy \"%s\" is the name of a built-in policy", cls->name);
        return plugin_error(error, path, msg);
    }
    return true;
}

/* Opens the module at `path` and copies its class; NULL on any failure. */
static PolicyClass *load(const char *path, GError **error)
{
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        plugin_error(error, path, "no such plug-in file");
        return NULL;
    }
    GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);
    if (module == NULL) {
        g_autofree char *msg = g_strdup_printf("cannot load: %s", g_module_error());
        plugin_error(error, path, msg);
        return NULL;
    }
    gpointer sym = NULL;
    if (!g_module_symbol(module, PLUGIN_SYMBOL, &sym) || sym == NULL) {
        plugin_error(error, path, "not a reclaimsim policy plug-in (no " PLUGIN_SYMBOL " symbol)");
        g_module_close(module);
        return NULL;
    }
    /* POSIX: a data pointer from dlsym holds a function's address */
    PluginEntry entry;
    G_STATIC_ASSERT(sizeof entry == sizeof sym);
    memcpy(&entry, &sym, sizeof entry);
    const PolicyClass *cls = entry();
    if (!check_class(cls, path, error)) {
        g_module_close(module);
        return NULL;
    }
    PolicyClass *copy = g_new0(PolicyClass, 1);
    memcpy(copy, cls, class_size_at[cls->abi_version]);
    if (cls->era != NULL) {
        /* an older plug-in's era is shorter: the engine reads a full one */
        PolicyEra *era = g_new0(PolicyEra, 1);
        memcpy(era, cls->era, era_size_at[cls->abi_version]);
        copy->era = era;
    }
    g_module_make_resident(module);
    return copy;
}

/* The plug-in folders (policy_set_plugin_dirs), NULL-terminated. */
static char **plugin_dirs;

void policy_set_plugin_dirs(const char *const *dirs)
{
    G_LOCK(loaded);
    g_strfreev(plugin_dirs);
    plugin_dirs = dirs != NULL ? g_strdupv((char **)dirs) : NULL;
    G_UNLOCK(loaded);
}

static char *plugin_file(const char *name)
{
    return g_strconcat(name, "." G_MODULE_SUFFIX, NULL);
}

char *policy_find_plugin(const char *name)
{
    if (name[0] == '\0' || policy_is_path(name) || policy_lookup(name) != NULL) {
        return NULL;
    }
    g_autofree char *file = plugin_file(name);
    for (guint i = 0; plugin_dirs != NULL && plugin_dirs[i] != NULL; i++) {
        char *path = g_build_filename(plugin_dirs[i], file, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            return path;
        }
        g_free(path);
    }
    return NULL;
}

/* Appends to `names` the plug-ins of folder `dir` not yet in `seen`. */
static void add_names(const char *dir, GHashTable *seen, GPtrArray *names)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *entry;
    while (d != NULL && (entry = g_dir_read_name(d)) != NULL) {
        if (!g_str_has_suffix(entry, "." G_MODULE_SUFFIX)) {
            continue;
        }
        g_autofree char *name = g_strndup(entry, strlen(entry) - strlen("." G_MODULE_SUFFIX));
        g_autofree char *path = g_build_filename(dir, entry, NULL);
        if (name[0] == '\0' || policy_lookup(name) != NULL || g_hash_table_contains(seen, name) ||
            !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            continue;
        }
        g_ptr_array_add(names, g_strdup(name));
        g_hash_table_add(seen, g_ptr_array_index(names, names->len - 1));
    }
}

static int compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **policy_plugin_names(void)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *names = g_ptr_array_new();
    for (guint i = 0; plugin_dirs != NULL && plugin_dirs[i] != NULL; i++) {
        add_names(plugin_dirs[i], seen, names);
    }
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

const PolicyClass *policy_resolve(const char *name, GError **error)
{
    if (!policy_is_path(name)) {
        const PolicyClass *cls = policy_lookup(name);
        g_autofree char *found = cls == NULL ? policy_find_plugin(name) : NULL;
        if (found != NULL) {
            return policy_resolve(found, error);
        }
        if (cls == NULL) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "unknown policy \"%s\"", name);
        }
        return cls;
    }
    G_LOCK(loaded);
    if (loaded == NULL) {
        loaded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    }
    PolicyClass *cls = g_hash_table_lookup(loaded, name);
    if (cls == NULL) {
        cls = load(name, error);
        if (cls != NULL) {
            g_hash_table_insert(loaded, g_strdup(name), cls);
        }
    }
    G_UNLOCK(loaded);
    return cls;
}
