# Per VM, the sampled active estimate against consumed memory, under the
# configured size. reclaimsim sets: datafile (one block per panel: time_s
# consumed active configured, in `unit`), unit and the panel parameters.
load plotsdir.'/common.gp'

ylabel_text = sprintf('memory (%s)', unit)
set yrange [0:*]
panel_plot = "plot datafile index (i-1) using 1:4 with lines lw 1.5 dt 2 lc rgb c_sla title 'configured', \
    '' index (i-1) using 1:2 with lines lw 2 lc rgb c_line title 'consumed', \
    '' index (i-1) using 1:3 with lines lw 2 lc rgb c_active title 'active (sampled estimate)'"
load plotsdir.'/panels.gp'
