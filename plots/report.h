/* `reclaimsim report DIR`: one self-contained DIR/report.html (no network
 * access: styles inline, plots as inline SVG) from the run's files and
 * DIR/plots/, which is rendered first when it is missing. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Writes DIR/report.html atomically. Errors as plot_render(). */
bool plot_report_write(const char *dir, GError **error);
