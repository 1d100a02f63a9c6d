/* The HTML both reports share (plots/html.c), checked as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "plots/html.h"

static void test_html_escapes_text_and_makes_it_valid_utf8(void **state)
{
    (void)state;
    g_autofree char *e = plot_html_escape("<a href=\"x\">&'</a>");
    assert_string_equal(e, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    g_autofree char *bad = plot_html_escape("ok\xff");
    assert_true(g_utf8_validate(bad, -1, NULL));
}

/* NULL text and numbers without a value print as "-". */
static void test_html_text_and_numbers_without_a_value_are_a_dash(void **state)
{
    (void)state;
    g_autoptr(GString) html = g_string_new(NULL);
    plot_html_text(html, NULL);
    plot_html_text(html, "<b>");
    plot_html_number(html, NAN, 2);
    plot_html_number(html, INFINITY, 2);
    plot_html_number(html, 1.005, 1);
    assert_string_equal(html->str, "-&lt;b&gt;--1.0");
}

/* The title is user text (a scenario name): escaped in <title> and <h1>. */
static void test_html_head_escapes_the_title(void **state)
{
    (void)state;
    g_autoptr(GString) html = g_string_new(NULL);
    plot_html_head(html, "r: a<b");
    assert_true(g_str_has_prefix(html->str, "<!DOCTYPE html>\n"));
    assert_non_null(strstr(html->str, "<title>r: a&lt;b</title>\n<style>"));
    assert_true(g_str_has_suffix(html->str, "</head>\n<body>\n<h1>r: a&lt;b</h1>\n"));
}

/* A figure: the SVG without its prolog, every id and reference to one
 * prefixed with the figure's name, gnuplot's <title> replaced, a caption. */
static void test_html_figure_prefixes_the_svg_ids_and_titles_it(void **state)
{
    (void)state;
    const char *svg = "<?xml version=\"1.0\"?>\n<svg id=\"gnuplot_canvas\">"
                      "<title>Gnuplot</title><use href=\"#gpPt0\"/><g id='gpPt0' "
                      "fill=\"url(#grad)\"/></svg>\n";
    g_autoptr(GString) html = g_string_new(NULL);
    plot_html_figure(html, "host-free", svg, "s: free & <x>", "About <it>.");
    assert_string_equal(html->str,
                        "<figure id=\"fig-host-free\">\n<svg id=\"host-free-gnuplot_canvas\">"
                        "<title>s: free &amp; &lt;x&gt;</title><use href=\"#host-free-gpPt0\"/>"
                        "<g id='host-free-gpPt0' fill=\"url(#host-free-grad)\"/></svg>\n"
                        "\n<figcaption>About &lt;it&gt;. (<code>plots/host-free.png</code>, "
                        "<code>plots/host-free.svg</code>)</figcaption>\n</figure>\n");
}

static void test_html_foot_closes_the_page(void **state)
{
    (void)state;
    g_autoptr(GString) html = g_string_new(NULL);
    plot_html_foot(html, "from x");
    assert_string_equal(html->str, "<footer><p>Written by reclaimsim " RECLAIMSIM_VERSION
                                   " from x.</p></footer>\n</body>\n</html>\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escapes_text_and_makes_it_valid_utf8),
        cmocka_unit_test(test_html_text_and_numbers_without_a_value_are_a_dash),
        cmocka_unit_test(test_html_head_escapes_the_title),
        cmocka_unit_test(test_html_figure_prefixes_the_svg_ids_and_titles_it),
        cmocka_unit_test(test_html_foot_closes_the_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
