# sweep: a figure against the one varied key, one panel per figure of the
# points, one line per policy: the mean over the seeds, with bars from the
# lowest to the highest seed when there are several.
# reclaimsim sets: datafile (block (i-1) * n_pol + k - 1: panel i, policy
# k; columns x mean min max seeds_ok failed), n_pol, pnames[], pcolours[],
# pdashes[], the x axis of sweep-axis.gp, ylabel_text, y_lo, y_hi,
# errorbars, markers, has_sla, sla and the panel parameters of panels.gp.
load plotsdir.'/common.gp'
load plotsdir.'/sweep-axis.gp'

set yrange [y_lo:y_hi]
sla_title = has_sla ? sprintf('SLA: performance index >= %.2f', sla) : ''
legend_pass = 0
if (errorbars) {
    panel_plot = "plot for [k=1:n_pol] datafile index ((i-1) * n_pol + k - 1) using 1:2:3:4 \
        with yerrorlines lw 2 pt 7 ps (markers ? 0.8 : 0) lc rgb pcolours[k] dt pdashes[k] \
        title pnames[k], \
        (has_sla ? sla : NaN) with lines lw 1.5 dt 2 lc rgb c_sla title sla_title"
} else {
    panel_plot = "plot for [k=1:n_pol] datafile index ((i-1) * n_pol + k - 1) using 1:2 \
        with linespoints lw 2 pt 7 ps (markers ? 0.8 : 0) lc rgb pcolours[k] dt pdashes[k] \
        title pnames[k], \
        (has_sla ? sla : NaN) with lines lw 1.5 dt 2 lc rgb c_sla title sla_title"
}
load plotsdir.'/panels.gp'
