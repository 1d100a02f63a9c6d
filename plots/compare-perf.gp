# compare: the fleet's mean performance index over time, one line per
# policy, with the SLA when the scenario has one.
# reclaimsim sets: datafile (one block per policy: time_s mean perf_index),
# title_text, n_pol, pnames[], pcolours[], pdashes[], perf_lo, has_sla, sla.
load plotsdir.'/common.gp'

set title title_text font ',13'
set xlabel time_label
set ylabel 'mean performance index of the VMs (1.0 = no stall)'
set yrange [perf_lo:1 + 0.03 * (1 - perf_lo)]
set key outside below center horizontal maxrows 1
set rmargin 4
sla_title = has_sla ? sprintf('SLA: performance index >= %.2f', sla) : ''

plot for [k=1:n_pol] datafile index (k-1) using 1:2 with lines lw 2 \
         lc rgb pcolours[k] dt pdashes[k] title pnames[k], \
     (has_sla ? sla : NaN) with lines lw 1.5 dt 2 lc rgb c_sla title sla_title
