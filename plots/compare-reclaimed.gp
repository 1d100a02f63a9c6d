# compare: host-wide memory each mechanism holds back, one panel per
# mechanism, one line per policy.
# reclaimsim sets: datafile (block (m-1) * n_pol + k - 1: mechanism m,
# policy k; time_s MiB-or-GiB), unit, n_pol, pnames[], pcolours[],
# pdashes[] and the panel parameters of panels.gp.
load plotsdir.'/common.gp'

ylabel_text = sprintf('memory (%s)', unit)
set yrange [0:*]
legend_pass = 0
panel_plot = "plot for [k=1:n_pol] datafile index ((i-1) * n_pol + k - 1) using 1:2 with lines lw 2 lc rgb pcolours[k] dt pdashes[k] title pnames[k]"
load plotsdir.'/panels.gp'
