/* sim/out/outdir.c on a real file system: what may be replaced, the staging
 * directory, the marker, the folder name of a scenario, deleting a tree
 * without following links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/error.h"
#include "sim/out/outdir.h"
#include "support/testutil.h"

static void put_file(const char *dir, const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
}

static char *get_file(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

/* Stages DIR with one file holding `text` and commits it. */
static void make_output(const char *dir, SimOutdirFlags flags, const char *text)
{
    GError *error = NULL;
    g_autoptr(SimOutdir) out = sim_outdir_new(dir, flags, &error);
    g_assert_no_error(error);
    const char *stage = sim_outdir_stage(out, &error);
    g_assert_no_error(error);
    put_file(stage, "host.csv", text);
    assert_true(sim_outdir_commit(out, &error));
    g_assert_no_error(error);
    assert_null(sim_outdir_leftover(out));
}

/* The error of sim_outdir_new(dir, flags): its code and message. */
static GError *refusal(const char *dir, SimOutdirFlags flags)
{
    GError *error = NULL;
    SimOutdir *out = sim_outdir_new(dir, flags, &error);
    assert_null(out);
    assert_non_null(error);
    return error;
}

static void test_outdir_creates_dir_with_the_marker_and_no_staging_left(void **state)
{
    const char *tmp = *state;
    g_autofree char *dir = g_build_filename(tmp, "a", "b", "run", NULL);
    make_output(dir, SIM_OUTDIR_DEFAULT, "one");
    g_autofree char *entries = test_list_dir(dir);
    assert_string_equal(entries, ".reclaimsim-output host.csv");
    g_autofree char *marker = get_file(dir, SIM_OUTDIR_MARKER);
    g_auto(GStrv) lines = g_strsplit(marker, "\n", 3);
    assert_string_equal(lines[0], SIM_OUTDIR_MARKER_LINE);
    assert_string_equal(lines[1], "reclaimsim " RECLAIMSIM_VERSION);
    g_autofree char *parent = g_path_get_dirname(dir);
    g_autofree char *siblings = test_list_dir(parent);
    assert_string_equal(siblings, "run");
}

static void test_outdir_replaces_its_own_output_as_a_whole(void **state)
{
    const char *tmp = *state;
    g_autofree char *dir = g_build_filename(tmp, "out", NULL);
    make_output(dir, SIM_OUTDIR_DEFAULT, "one");
    g_autofree char *plots = g_build_filename(dir, "plots", NULL);
    assert_int_equal(g_mkdir(plots, 0777), 0);
    put_file(plots, "old.png", "x");
    g_autofree char *with_slash = g_strconcat(dir, "/", NULL); /* "out/" names "out" */
    make_output(with_slash, SIM_OUTDIR_DEFAULT, "two");
    g_autofree char *entries = test_list_dir(dir);
    assert_string_equal(entries, ".reclaimsim-output host.csv");
    g_autofree char *text = get_file(dir, "host.csv");
    assert_string_equal(text, "two");
    g_autofree char *siblings = test_list_dir(tmp);
    assert_string_equal(siblings, "out");
}

static void test_outdir_refuses_a_directory_without_the_marker(void **state)
{
    const char *tmp = *state;
    put_file(tmp, "keep.txt", "mine");
    GError *error = refusal(tmp, SIM_OUTDIR_DEFAULT);
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_USAGE));
    assert_true(g_str_has_prefix(error->message, tmp));
    assert_non_null(strstr(error->message, "--force"));
    assert_null(strchr(error->message, '\n'));
    g_clear_error(&error);
    /* A marker file with other content is not the marker. */
    put_file(tmp, SIM_OUTDIR_MARKER, "something else\n");
    error = refusal(tmp, SIM_OUTDIR_DEFAULT);
    g_clear_error(&error);
    g_autofree char *kept = get_file(tmp, "keep.txt");
    assert_string_equal(kept, "mine");
}

/* An output from before the marker is replaced when everything in it is a
 * file reclaimsim writes; one more file of the user's and it is refused. */
static void test_outdir_replaces_an_older_output_only_when_all_is_reclaimsims(void **state)
{
    const char *tmp = *state;
    g_autofree char *plots = g_build_filename(tmp, "plots", NULL);
    const char *files[] = {"host.csv", "vms.csv", "summary.json", "esxtop.csv", "report.html"};
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        put_file(tmp, files[i], "old");
    }
    assert_int_equal(g_mkdir(plots, 0777), 0);
    put_file(plots, "host-free.png", "png");
    put_file(plots, "host-free.svg", "svg");
    GError *error = NULL;
    SimOutdir *out = sim_outdir_new(tmp, SIM_OUTDIR_DEFAULT, &error);
    g_assert_no_error(error);
    sim_outdir_free(out);
    const char *extra[][2] = {{".", "notes.txt"}, {"plots", "notes.txt"}};
    for (guint i = 0; i < G_N_ELEMENTS(extra); i++) {
        g_autofree char *where = g_build_filename(tmp, extra[i][0], NULL);
        put_file(where, extra[i][1], "mine");
        error = refusal(tmp, SIM_OUTDIR_DEFAULT);
        assert_non_null(strstr(error->message, "--force"));
        g_clear_error(&error);
        g_autofree char *path = g_build_filename(where, extra[i][1], NULL);
        assert_int_equal(g_unlink(path), 0);
    }
    /* Without summary.json it is not a run. */
    g_autofree char *summary = g_build_filename(tmp, "summary.json", NULL);
    assert_int_equal(g_unlink(summary), 0);
    error = refusal(tmp, SIM_OUTDIR_DEFAULT);
    g_clear_error(&error);
}

static void test_outdir_force_replaces_a_directory_without_the_marker(void **state)
{
    const char *tmp = *state;
    g_autofree char *dir = g_build_filename(tmp, "mine", NULL);
    assert_int_equal(g_mkdir(dir, 0777), 0);
    put_file(dir, "keep.txt", "mine");
    make_output(dir, SIM_OUTDIR_FORCE, "new");
    g_autofree char *entries = test_list_dir(dir);
    assert_string_equal(entries, ".reclaimsim-output host.csv");
}

/* A file, a link or "." is never replaced, not even with --force. */
static void test_outdir_never_replaces_a_file_a_link_or_the_current_directory(void **state)
{
    const char *tmp = *state;
    g_autofree char *file = g_build_filename(tmp, "file", NULL);
    g_autofree char *link = g_build_filename(tmp, "link", NULL);
    g_autofree char *dot = g_build_filename(tmp, ".", NULL);
    g_autofree char *dotdot = g_build_filename(tmp, "x", "..", NULL);
    g_autofree char *under = g_build_filename(file, "x", NULL);
    put_file(tmp, "file", "keep");
    assert_int_equal(symlink(tmp, link), 0);
    const struct {
        const char *dir;
        const char *says;
    } cases[] = {
        {file, "is not a directory"}, {link, "symbolic link"},  {dot, "name a folder inside"},
        {dotdot, "name a folder inside"}, {"/", "name a folder inside"},
        {under, "Not a directory"},   {"", "name is empty"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *error = refusal(cases[i].dir, SIM_OUTDIR_FORCE);
        assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_USAGE));
        assert_non_null(strstr(error->message, cases[i].says));
        g_clear_error(&error);
    }
    g_autofree char *entries = test_list_dir(tmp);
    assert_string_equal(entries, "file link");
    g_autofree char *kept = get_file(tmp, "file");
    assert_string_equal(kept, "keep");
}

/* --force deletes the replaced tree without following a link inside it:
 * what the link points to stays. */
static void test_outdir_delete_does_not_follow_links_in_the_replaced_tree(void **state)
{
    const char *tmp = *state;
    g_autofree char *outside = g_build_filename(tmp, "outside", NULL);
    g_autofree char *dir = g_build_filename(tmp, "dir", NULL);
    g_autofree char *sub = g_build_filename(dir, "sub", NULL);
    g_autofree char *link_dir = g_build_filename(sub, "to-outside", NULL);
    g_autofree char *link_file = g_build_filename(dir, "to-file", NULL);
    g_autofree char *precious = g_build_filename(outside, "precious", NULL);
    assert_int_equal(g_mkdir_with_parents(outside, 0777), 0);
    assert_int_equal(g_mkdir_with_parents(sub, 0777), 0);
    put_file(outside, "precious", "keep");
    assert_int_equal(symlink(outside, link_dir), 0);
    assert_int_equal(symlink(precious, link_file), 0);
    make_output(dir, SIM_OUTDIR_FORCE, "new");
    g_autofree char *kept = get_file(outside, "precious");
    assert_string_equal(kept, "keep");
    g_autofree char *entries = test_list_dir(tmp);
    assert_string_equal(entries, "dir outside");
}

/* DIR checked at the start is checked again at the commit: a folder the
 * user made there during the run is not replaced, and the staging goes. */
static void test_outdir_commit_checks_dir_again(void **state)
{
    const char *tmp = *state;
    g_autofree char *dir = g_build_filename(tmp, "out", NULL);
    GError *error = NULL;
    SimOutdir *out = sim_outdir_new(dir, SIM_OUTDIR_DEFAULT, &error);
    g_assert_no_error(error);
    const char *stage = sim_outdir_stage(out, &error);
    put_file(stage, "host.csv", "new");
    assert_int_equal(g_mkdir(dir, 0777), 0);
    put_file(dir, "keep.txt", "mine");
    assert_false(sim_outdir_commit(out, &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_USAGE));
    assert_true(g_str_has_prefix(error->message, dir));
    g_clear_error(&error);
    sim_outdir_free(out);
    g_autofree char *entries = test_list_dir(tmp);
    assert_string_equal(entries, "out");
    g_autofree char *inside = test_list_dir(dir);
    assert_string_equal(inside, "keep.txt");
}

/* A staged output that is never committed (a failed write) leaves nothing. */
static void test_outdir_free_without_commit_removes_the_staging(void **state)
{
    const char *tmp = *state;
    g_autofree char *dir = g_build_filename(tmp, "out", NULL);
    make_output(dir, SIM_OUTDIR_DEFAULT, "one");
    GError *error = NULL;
    SimOutdir *out = sim_outdir_new(dir, SIM_OUTDIR_DEFAULT, &error);
    const char *stage = sim_outdir_stage(out, &error);
    g_assert_no_error(error);
    g_autofree char *base = g_path_get_basename(stage);
    assert_true(g_str_has_prefix(base, "out.tmp-"));
    g_autofree char *nested = g_build_filename(stage, "plots", NULL);
    assert_int_equal(g_mkdir(nested, 0777), 0);
    put_file(nested, "a.png", "x");
    sim_outdir_free(out);
    g_autofree char *entries = test_list_dir(tmp);
    assert_string_equal(entries, "out");
    g_autofree char *text = get_file(dir, "host.csv");
    assert_string_equal(text, "one");
}

/* A part (DIR/plots) is replaced whenever it is a real directory, gets no
 * marker, and is never a link. */
static void test_outdir_part_replaces_a_directory_without_a_marker(void **state)
{
    const char *tmp = *state;
    g_autofree char *plots = g_build_filename(tmp, "plots", NULL);
    assert_int_equal(g_mkdir(plots, 0777), 0);
    put_file(plots, "old.png", "x");
    make_output(plots, SIM_OUTDIR_PART, "new");
    g_autofree char *entries = test_list_dir(plots);
    assert_string_equal(entries, "host.csv");
    g_autofree char *link = g_build_filename(tmp, "link", NULL);
    assert_int_equal(symlink(plots, link), 0);
    GError *error = refusal(link, SIM_OUTDIR_PART);
    g_clear_error(&error);
}

static void test_outdir_name_for_keeps_a_plain_name(void **state)
{
    (void)state;
    const char *plain[] = {"default", "web-farm 2", "caf\xc3\xa9", "a.b..c", "x..", "-o"};
    for (guint i = 0; i < G_N_ELEMENTS(plain); i++) {
        g_autofree char *name = sim_outdir_name_for(plain[i]);
        assert_string_equal(name, plain[i]);
    }
}

/* Hostile names map to one plain folder name: no separator, no control
 * character, no leading dot, not empty, at most SIM_OUTDIR_NAME_MAX bytes. */
static void test_outdir_name_for_makes_hostile_names_one_plain_folder(void **state)
{
    (void)state;
    g_autofree char *longest = g_strnfill(300, 'n');
    const char *hostile[] = {"../x", "a/b", "..",   "",          ".",        "/etc",
                             "a\\b", "x\ny", "\t",  "a\xc2\x85z", "\xff\xfe", longest,
                             "e\xe2\x80\xa8", ".hidden"};
    for (guint i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autofree char *name = sim_outdir_name_for(hostile[i]);
        assert_true(*name != '\0' && *name != '.');
        assert_true(strlen(name) <= SIM_OUTDIR_NAME_MAX);
        assert_true(g_utf8_validate(name, -1, NULL));
        assert_null(strpbrk(name, "/\\"));
        for (const char *p = name; *p != '\0'; p = g_utf8_next_char(p)) {
            assert_false(g_unichar_iscntrl(g_utf8_get_char(p)));
        }
    }
    /* The documented mapping (README, docs/reclaimsim.1). */
    g_autofree char *up = sim_outdir_name_for("../x");
    assert_string_equal(up, "_._x");
    g_autofree char *empty = sim_outdir_name_for("");
    assert_string_equal(empty, "unnamed");
    g_autofree char *nl = sim_outdir_name_for("x\ny");
    assert_string_equal(nl, "x_y");
}

/* A long UTF-8 name is cut at a character boundary. */
static void test_outdir_name_for_cuts_between_characters(void **state)
{
    (void)state;
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 60; i++) {
        g_string_append(s, "\xc3\xa9"); /* 2 bytes each */
    }
    g_string_prepend_c(s, 'x'); /* odd: 100 bytes end inside a character */
    g_autofree char *name = sim_outdir_name_for(s->str);
    assert_int_equal(strlen(name), 99);
    assert_true(g_utf8_validate(name, -1, NULL));
    g_string_free(s, TRUE);
}

static void test_outdir_check_run_accepts_marked_and_older_runs_only(void **state)
{
    const char *tmp = *state;
    g_autofree char *marked = g_build_filename(tmp, "marked", NULL);
    g_autofree char *older = g_build_filename(tmp, "older", NULL);
    g_autofree char *other = g_build_filename(tmp, "other", NULL);
    make_output(marked, SIM_OUTDIR_DEFAULT, "x");
    assert_int_equal(g_mkdir(older, 0777), 0);
    put_file(older, "summary.json", "{}");
    assert_int_equal(g_mkdir(other, 0777), 0);
    put_file(other, "notes.txt", "mine");
    GError *error = NULL;
    assert_true(sim_outdir_check_run(marked, &error));
    assert_true(sim_outdir_check_run(older, &error));
    g_assert_no_error(error);
    assert_false(sim_outdir_check_run(other, &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_USAGE));
    assert_true(g_str_has_prefix(error->message, other));
    g_clear_error(&error);
    g_autofree char *missing = g_build_filename(tmp, "missing", NULL);
    assert_false(sim_outdir_check_run(missing, &error));
    assert_non_null(strstr(error->message, "no such directory"));
    g_clear_error(&error);
}

static void test_outdir_write_file_replaces_and_names_the_file(void **state)
{
    const char *tmp = *state;
    g_autofree char *path = g_build_filename(tmp, "report.html", NULL);
    GError *error = NULL;
    assert_true(sim_outdir_write_file(path, "old", 3, &error));
    assert_true(sim_outdir_write_file(path, "new!", 4, &error));
    g_assert_no_error(error);
    g_autofree char *text = get_file(tmp, "report.html");
    assert_string_equal(text, "new!");
    g_autofree char *entries = test_list_dir(tmp);
    assert_string_equal(entries, "report.html");
    /* A directory in the way: the error names the file, not a temporary one. */
    assert_int_equal(g_unlink(path), 0);
    assert_int_equal(g_mkdir(path, 0777), 0);
    put_file(path, "x", "keep");
    assert_false(sim_outdir_write_file(path, "new", 3, &error));
    g_autofree char *want = g_strdup_printf("%s: error: cannot write: %s", path,
                                            g_strerror(EISDIR));
    assert_string_equal(error->message, want);
    g_clear_error(&error);
    g_autofree char *after = test_list_dir(tmp);
    assert_string_equal(after, "report.html");
}

#define TMP_TEST(test)                                                                             \
    cmocka_unit_test_setup_teardown(test, test_tmpdir_setup, test_tmpdir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMP_TEST(test_outdir_creates_dir_with_the_marker_and_no_staging_left),
        TMP_TEST(test_outdir_replaces_its_own_output_as_a_whole),
        TMP_TEST(test_outdir_refuses_a_directory_without_the_marker),
        TMP_TEST(test_outdir_replaces_an_older_output_only_when_all_is_reclaimsims),
        TMP_TEST(test_outdir_force_replaces_a_directory_without_the_marker),
        TMP_TEST(test_outdir_never_replaces_a_file_a_link_or_the_current_directory),
        TMP_TEST(test_outdir_delete_does_not_follow_links_in_the_replaced_tree),
        TMP_TEST(test_outdir_commit_checks_dir_again),
        TMP_TEST(test_outdir_free_without_commit_removes_the_staging),
        TMP_TEST(test_outdir_part_replaces_a_directory_without_a_marker),
        cmocka_unit_test(test_outdir_name_for_keeps_a_plain_name),
        cmocka_unit_test(test_outdir_name_for_makes_hostile_names_one_plain_folder),
        cmocka_unit_test(test_outdir_name_for_cuts_between_characters),
        TMP_TEST(test_outdir_check_run_accepts_marked_and_older_runs_only),
        TMP_TEST(test_outdir_write_file_replaces_and_names_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
