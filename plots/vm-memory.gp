# Per VM, where its configured memory is, stacked from the bottom: resident
# private, shared, compressed, host-swapped, ballooned, never touched.
# reclaimsim sets: datafile (one block per panel: time_s and running sums in
# `unit`), unit and the panel parameters of panels.gp.
load plotsdir.'/common.gp'

ylabel_text = sprintf('memory (%s)', unit)
set yrange [0:*]
panel_plot = "plot datafile index (i-1) using 1:(0):2 with filledcurves lc rgb c_private title 'resident private', \
    '' index (i-1) using 1:2:3 with filledcurves lc rgb c_shared title 'shared', \
    '' index (i-1) using 1:3:4 with filledcurves lc rgb c_compressed title 'compressed', \
    '' index (i-1) using 1:4:5 with filledcurves lc rgb c_swapped title 'host-swapped', \
    '' index (i-1) using 1:5:6 with filledcurves lc rgb c_balloon title 'ballooned', \
    '' index (i-1) using 1:6:7 with filledcurves lc rgb c_untouched title 'not touched'"
load plotsdir.'/panels.gp'
